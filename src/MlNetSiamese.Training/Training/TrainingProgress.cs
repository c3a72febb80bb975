namespace MlNetSiamese;

/// <summary>Where training stands; reported after every batch and at the end of every epoch.</summary>
public sealed record TrainingProgress
{
    /// <summary>Current epoch, 1-based.</summary>
    public int Epoch { get; init; }
    /// <summary>Epochs planned.</summary>
    public int Epochs { get; init; }
    /// <summary>Batches done in this epoch.</summary>
    public int Batch { get; init; }
    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch { get; init; }
    /// <summary>True on the report that closes an epoch (it carries the validation metric).</summary>
    public bool EpochCompleted { get; init; }
    /// <summary>Mean loss over the batches of this epoch so far.</summary>
    public double Loss { get; init; }
    /// <summary>Fraction of mined triplets with a non-zero loss, over this epoch so far.</summary>
    public double ActiveTripletFraction { get; init; }
    /// <summary>Leave-one-out precision@1 on the validation split at the end of the epoch; NaN without a split.</summary>
    public double ValidationPrecisionAt1 { get; init; } = double.NaN;
    /// <summary>Learning rate of the last batch.</summary>
    public double LearningRate { get; init; }
    /// <summary>Time since training started.</summary>
    public TimeSpan Elapsed { get; init; }
    /// <summary>True when this epoch's weights are the best so far (kept as the result).</summary>
    public bool IsBest { get; init; }
}
