namespace MlNetSiamese;

/// <summary>
/// How a fixed cosine-similarity threshold (typically calibrated on validation pairs) does on other pairs, e.g. the
/// test split: the honest estimate of what "same item?" answers will get right.
/// </summary>
/// <param name="Threshold">The threshold assessed ("same" when similarity &gt;= it).</param>
/// <param name="Precision">Share of pairs predicted "same" that are the same class, at the mix of <paramref name="PositiveRate"/> (NaN when none is predicted "same").</param>
/// <param name="Recall">Share of positive pairs predicted "same".</param>
/// <param name="F1">Harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="Accuracy">Share of all pairs predicted correctly, at the mix of <paramref name="PositiveRate"/>.</param>
/// <param name="PositivePairs">Number of positive (same-class) pairs.</param>
/// <param name="NegativePairs">Number of negative pairs.</param>
/// <param name="PositiveRate">The share of "same" pairs precision and accuracy are for: the stated one, or the pairs' own.</param>
public sealed record ThresholdAssessment(float Threshold, double Precision, double Recall, double F1, double Accuracy,
    long PositivePairs, long NegativePairs, double PositiveRate);
