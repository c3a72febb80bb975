namespace MlNetSiamese;

/// <summary>Optimiser.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (weight decay added to the gradient, L2 style).</summary>
    Adam = 0,
    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW = 1,
}

/// <summary>Learning-rate schedule over the whole run.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout.</summary>
    Constant = 0,
    /// <summary>Cosine decay from the initial rate to zero at the last batch.</summary>
    Cosine = 1,
}
