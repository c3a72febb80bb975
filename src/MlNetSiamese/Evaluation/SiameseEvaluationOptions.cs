namespace MlNetSiamese;

/// <summary>How evaluation pairs are formed for the pair-verification metrics.</summary>
public enum PairSampling
{
    /// <summary>All pairs when the set has at most <see cref="SiameseEvaluationOptions.MaxAllPairsItems"/> items, balanced sampling otherwise.</summary>
    Auto,
    /// <summary>Every unordered pair of distinct items (n(n-1)/2 pairs; positives and negatives are not balanced).</summary>
    AllPairs,
    /// <summary>The article's protocol: equally many positive and negative pairs drawn with a seed (with replacement).</summary>
    Balanced,
}

/// <summary>Options for <c>ml.Siamese().Evaluate(...)</c> and the array-based evaluators.</summary>
public sealed class SiameseEvaluationOptions
{
    /// <summary>The k values for recall@k (fraction of queries with at least one same-class item in the top k). Default 1, 5, 10.</summary>
    public int[] RecallAtK { get; set; } = [1, 5, 10];

    /// <summary>Neighbours that vote in the kNN accuracy (majority vote; a tied vote goes to the class met first in rank order). Default 5.</summary>
    public int KnnK { get; set; } = 5;

    /// <summary>Compute the pair-verification metrics (ROC-AUC, EER, best threshold ...). Default true.</summary>
    public bool ComputePairMetrics { get; set; } = true;

    /// <summary>How pairs are formed. Default <see cref="PairSampling.Auto"/>.</summary>
    public PairSampling PairSampling { get; set; } = PairSampling.Auto;

    /// <summary>Largest set evaluated on all pairs under <see cref="PairSampling.Auto"/>. Default 2000 (about 2 million pairs).</summary>
    public int MaxAllPairsItems { get; set; } = 2000;

    /// <summary>Number of positive pairs, and as many negative pairs, drawn under balanced sampling. Default 10,000.</summary>
    public int BalancedPairCount { get; set; } = 10_000;

    /// <summary>Seed of the balanced pair sampling. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Number of equal-width bins over [-1, 1] of the similarity histograms. Default 40.</summary>
    public int HistogramBins { get; set; } = 40;

    internal void Validate()
    {
        if (RecallAtK is null || RecallAtK.Length == 0)
            throw new ArgumentException("RecallAtK must list at least one k.", nameof(RecallAtK));
        foreach (int k in RecallAtK)
            if (k < 1) throw new ArgumentOutOfRangeException(nameof(RecallAtK), k, "Every recall@k k must be at least 1.");
        if (KnnK < 1) throw new ArgumentOutOfRangeException(nameof(KnnK), KnnK, "KnnK must be at least 1.");
        if (MaxAllPairsItems < 2) throw new ArgumentOutOfRangeException(nameof(MaxAllPairsItems), MaxAllPairsItems, "MaxAllPairsItems must be at least 2.");
        if (BalancedPairCount < 1) throw new ArgumentOutOfRangeException(nameof(BalancedPairCount), BalancedPairCount, "BalancedPairCount must be at least 1.");
        if (HistogramBins < 1) throw new ArgumentOutOfRangeException(nameof(HistogramBins), HistogramBins, "HistogramBins must be at least 1.");
        if (!Enum.IsDefined(PairSampling)) throw new ArgumentOutOfRangeException(nameof(PairSampling), PairSampling, "Unknown pair sampling.");
    }
}
