namespace MlNetSiamese;

/// <summary>One point of a ROC curve: predicting "same" when similarity &gt;= <see cref="Threshold"/>.</summary>
/// <param name="Threshold">Cosine-similarity threshold (positive infinity for the (0, 0) start point).</param>
/// <param name="FalsePositiveRate">Fraction of negative pairs predicted "same".</param>
/// <param name="TruePositiveRate">Fraction of positive pairs predicted "same".</param>
public readonly record struct RocPoint(float Threshold, double FalsePositiveRate, double TruePositiveRate);

/// <summary>Equal-width histogram of cosine similarities over [<see cref="Min"/>, <see cref="Max"/>].</summary>
/// <param name="Min">Lower edge of the first bin.</param>
/// <param name="Max">Upper edge of the last bin (values equal to it fall in the last bin).</param>
/// <param name="Counts">Count per bin.</param>
public sealed record SimilarityHistogram(double Min, double Max, long[] Counts)
{
    /// <summary>Width of one bin.</summary>
    public double BinWidth => (Max - Min) / Counts.Length;

    /// <summary>Lower edge of bin <paramref name="bin"/>.</summary>
    public double BinStart(int bin) => Min + bin * BinWidth;
}

/// <summary>Pair-verification metrics: pairs scored by cosine similarity, "same" predicted when similarity &gt;= a threshold.</summary>
public sealed class PairMetrics
{
    internal PairMetrics() { }

    /// <summary>How the pairs were formed.</summary>
    public PairSampling Protocol { get; internal set; }

    /// <summary>The seed the balanced pairs were drawn with (null for all pairs, or when the caller formed the pairs).</summary>
    public int? Seed { get; internal set; }

    /// <summary>Number of positive (same-class) pairs.</summary>
    public long PositivePairCount { get; internal set; }

    /// <summary>Number of negative (different-class) pairs.</summary>
    public long NegativePairCount { get; internal set; }

    /// <summary>Area under the ROC curve (ties count one half).</summary>
    public double RocAuc { get; internal set; }

    /// <summary>Equal error rate: where the false-positive rate equals the false-negative rate, linearly interpolated on the ROC curve.</summary>
    public double EqualErrorRate { get; internal set; }

    /// <summary>The threshold of the first ROC point at which the false-negative rate no longer exceeds the false-positive rate.</summary>
    public float EqualErrorRateThreshold { get; internal set; }

    /// <summary>Best accuracy over all thresholds (each distinct score is a candidate; the highest threshold wins ties).</summary>
    public double BestAccuracy { get; internal set; }

    /// <summary>The threshold giving <see cref="BestAccuracy"/>.</summary>
    public float BestAccuracyThreshold { get; internal set; }

    /// <summary>Best F1 of the positive class over all thresholds.</summary>
    public double BestF1 { get; internal set; }

    /// <summary>The threshold giving <see cref="BestF1"/>.</summary>
    public float BestF1Threshold { get; internal set; }

    /// <summary>Mean similarity of positive pairs.</summary>
    public double PositiveMean { get; internal set; }

    /// <summary>Mean similarity of negative pairs.</summary>
    public double NegativeMean { get; internal set; }

    /// <summary>Histogram of positive-pair similarities over [-1, 1].</summary>
    public SimilarityHistogram PositiveHistogram { get; internal set; } = null!;

    /// <summary>Histogram of negative-pair similarities over [-1, 1].</summary>
    public SimilarityHistogram NegativeHistogram { get; internal set; } = null!;

    /// <summary>ROC curve from (0, 0) to (1, 1), one point per distinct score, thresholds descending.</summary>
    public IReadOnlyList<RocPoint> RocCurve { get; internal set; } = [];
}
