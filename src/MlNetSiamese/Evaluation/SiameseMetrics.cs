namespace MlNetSiamese;

/// <summary>Result of <c>ml.Siamese().Evaluate(...)</c>: retrieval metrics and, unless disabled, pair-verification metrics.</summary>
public sealed class SiameseMetrics
{
    internal SiameseMetrics(RetrievalMetrics retrieval, PairMetrics? pairs)
    {
        Retrieval = retrieval;
        Pairs = pairs;
    }

    /// <summary>Retrieval metrics (precision@1, R-precision, MAP@R, recall@k, kNN accuracy, per-class precision@1).</summary>
    public RetrievalMetrics Retrieval { get; }

    /// <summary>Pair-verification metrics; null when <see cref="SiameseEvaluationOptions.ComputePairMetrics"/> is false.</summary>
    public PairMetrics? Pairs { get; }
}
