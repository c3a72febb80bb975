namespace MlNetSiamese;

/// <summary>
/// Retrieval metrics, defined as in pytorch-metric-learning's AccuracyCalculator. For a query, R is the number of
/// gallery items of its class (leave-one-out excludes the query itself); neighbours are ranked by cosine similarity,
/// ties broken by the lower gallery position. Queries whose class has no other gallery member are excluded.
/// </summary>
public sealed class RetrievalMetrics
{
    internal RetrievalMetrics(double precisionAt1, double rPrecision, double mapAtR, IReadOnlyDictionary<int, double> recallAtK,
        int knnK, double knnAccuracy, IReadOnlyDictionary<string, double> perClassPrecisionAt1,
        int queryCount, int evaluatedQueryCount, int gallerySize, bool leaveOneOut)
    {
        PrecisionAt1 = precisionAt1;
        RPrecision = rPrecision;
        MapAtR = mapAtR;
        RecallAtK = recallAtK;
        KnnK = knnK;
        KnnAccuracy = knnAccuracy;
        PerClassPrecisionAt1 = perClassPrecisionAt1;
        QueryCount = queryCount;
        EvaluatedQueryCount = evaluatedQueryCount;
        GallerySize = gallerySize;
        LeaveOneOut = leaveOneOut;
    }

    /// <summary>Fraction of evaluated queries whose nearest neighbour shares their class.</summary>
    public double PrecisionAt1 { get; }

    /// <summary>Mean over evaluated queries of the fraction of the top R neighbours that share the class.</summary>
    public double RPrecision { get; }

    /// <summary>Mean over evaluated queries of (sum of precision@i at each correct position i within the top R) / R.</summary>
    public double MapAtR { get; }

    /// <summary>recall@k per requested k: fraction of evaluated queries with at least one same-class item in the top k.</summary>
    public IReadOnlyDictionary<int, double> RecallAtK { get; }

    /// <summary>The k of <see cref="KnnAccuracy"/>.</summary>
    public int KnnK { get; }

    /// <summary>Fraction of evaluated queries whose class wins the majority vote of the top <see cref="KnnK"/> neighbours.</summary>
    public double KnnAccuracy { get; }

    /// <summary>precision@1 per class (label text), over that class's evaluated queries.</summary>
    public IReadOnlyDictionary<string, double> PerClassPrecisionAt1 { get; }

    /// <summary>Number of queries given.</summary>
    public int QueryCount { get; }

    /// <summary>Number of queries that entered the metrics.</summary>
    public int EvaluatedQueryCount { get; }

    /// <summary>Number of queries left out because no other gallery item has their class.</summary>
    public int ExcludedQueryCount => QueryCount - EvaluatedQueryCount;

    /// <summary>Number of gallery items.</summary>
    public int GallerySize { get; }

    /// <summary>True when the queries were the gallery itself (each query's own entry excluded).</summary>
    public bool LeaveOneOut { get; }
}
