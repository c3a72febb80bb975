namespace MlNetSiamese;

/// <summary>How evaluation pairs are formed for the pair-verification metrics.</summary>
public enum PairSampling
{
    /// <summary>The reference article's protocol, the default: equally many positive and negative pairs drawn with a
    /// seed (with replacement), whatever the set's size, so numbers from sets of any size compare.</summary>
    Balanced = 2,
    /// <summary>Every unordered pair of distinct items (n(n-1)/2 pairs; positives and negatives at the data's class mix).</summary>
    AllPairs = 1,
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

    /// <summary>How pairs are formed. Default <see cref="PairSampling.Balanced"/>.</summary>
    public PairSampling PairSampling { get; set; } = PairSampling.Balanced;

    /// <summary>Number of positive pairs, and as many negative pairs, drawn under balanced sampling. Default 10,000.</summary>
    public int BalancedPairCount { get; set; } = 10_000;

    /// <summary>Seed of the balanced pair sampling (recorded in <see cref="PairMetrics.Seed"/>). Default 0, as everywhere in the library and CLI.</summary>
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
        if (BalancedPairCount < 1) throw new ArgumentOutOfRangeException(nameof(BalancedPairCount), BalancedPairCount, "BalancedPairCount must be at least 1.");
        if (HistogramBins < 1) throw new ArgumentOutOfRangeException(nameof(HistogramBins), HistogramBins, "HistogramBins must be at least 1.");
        if (!Enum.IsDefined(PairSampling)) throw new ArgumentOutOfRangeException(nameof(PairSampling), PairSampling, "Unknown pair sampling.");
    }
}
