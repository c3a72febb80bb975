using System.ComponentModel;
using MlNetSiamese.Losses;
using static TorchSharp.torch;

namespace MlNetSiamese;

/// <summary>
/// What training optimises: the triplet loss (distance, loss shape, margin), how triplets are chosen (the miner and
/// the batches it mines from) and the optional auxiliary classification loss.
/// </summary>
public sealed class TripletObjectiveOptions
{
    /// <summary>Distance used by the loss and the miner: cosine (1 - cos) or Euclidean.</summary>
    public DistanceKind Distance { get; set; } = DistanceKind.Cosine;

    /// <summary>Loss shape: Margin (hinge with the margin) or SoftMargin.</summary>
    public TripletLossKind Loss { get; set; } = TripletLossKind.Margin;

    /// <summary>Margin of the margin loss, in distance units (the reference article's cosine margin is 0.4).</summary>
    public float Margin { get; set; } = 0.4f;

    /// <summary>Triplet selection: OfflineRandom (the article's random triplets), BatchAll, BatchHard or SemiHard.</summary>
    public TripletMining Mining { get; set; } = TripletMining.SemiHard;

    /// <summary>Classes per batch (P) for online mining.</summary>
    public int ClassesPerBatch { get; set; } = 16;

    /// <summary>Samples per class (K) for online mining; at least 2.</summary>
    public int SamplesPerClass { get; set; } = 4;

    /// <summary>Triplets per batch for OfflineRandom mining.</summary>
    public int TripletsPerBatch { get; set; } = 64;

    /// <summary>Weight of an auxiliary normalised-softmax classification loss on the embeddings (one learned direction
    /// per class, used in training only), added to the triplet loss; 0 trains with the triplet loss alone.</summary>
    public float ClassificationLossWeight { get; set; }

    /// <summary>Label smoothing of the classification loss: the share of the target spread evenly over all classes; in [0, 1).</summary>
    public float ClassificationLabelSmoothing { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    internal void Validate()
    {
        OptionCheck.That(Margin >= 0 && float.IsFinite(Margin), "Objective.Margin", Margin, ">= 0");
        OptionCheck.That(ClassesPerBatch >= 2, "Objective.ClassesPerBatch", ClassesPerBatch, ">= 2");
        OptionCheck.That(SamplesPerClass >= 2, "Objective.SamplesPerClass", SamplesPerClass, ">= 2 (an anchor needs a positive)");
        OptionCheck.That(TripletsPerBatch >= 1, "Objective.TripletsPerBatch", TripletsPerBatch, ">= 1");
        OptionCheck.That(ClassificationLossWeight >= 0 && float.IsFinite(ClassificationLossWeight), "Objective.ClassificationLossWeight", ClassificationLossWeight, ">= 0");
        OptionCheck.That(ClassificationLabelSmoothing is >= 0 and < 1, "Objective.ClassificationLabelSmoothing", ClassificationLabelSmoothing, "in [0, 1)");
    }

    /// <summary>The distance, miner and loss these options name, put together.</summary>
    internal TripletObjective CreateObjective() => new(
        Distance == DistanceKind.Cosine ? new CosineDistance() : new EuclideanDistance(),
        Mining switch
        {
            TripletMining.BatchAll => new BatchAllMiner(),
            TripletMining.BatchHard => new BatchHardMiner(),
            _ => new SemiHardMiner(),   // OfflineRandom batches carry their triplets and skip the miner
        },
        Loss == TripletLossKind.Margin ? new MarginTripletLoss(Margin) : new SoftMarginTripletLoss());

    /// <summary>The auxiliary classification loss's head, or null when <see cref="ClassificationLossWeight"/> is 0.</summary>
    internal NormalizedSoftmaxLoss? CreateClassificationHead(int embeddingDimension, int classes, Generator init) =>
        ClassificationLossWeight > 0 ? new NormalizedSoftmaxLoss(embeddingDimension, classes, init, labelSmoothing: ClassificationLabelSmoothing) : null;
}
