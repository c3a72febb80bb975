namespace MlNetSiamese;

/// <summary>What a calibrated threshold is chosen for.</summary>
public enum CalibrationObjective
{
    /// <summary>The lowest threshold (highest recall) whose precision is at least the target precision.</summary>
    MinimumPrecision,
    /// <summary>The threshold with the best F1 (highest threshold on ties).</summary>
    BestF1,
}

/// <summary>
/// A calibrated cosine-similarity threshold ("same item" when similarity &gt;= <see cref="Threshold"/>) with what it
/// achieved on the validation pairs. Plain values only, so a transform can store it with the model.
/// </summary>
/// <param name="Threshold">The cosine-similarity threshold.</param>
/// <param name="Objective">What it was chosen for.</param>
/// <param name="TargetPrecision">The required precision for <see cref="CalibrationObjective.MinimumPrecision"/>; NaN otherwise.</param>
/// <param name="Precision">Precision at the threshold, at the pair mix of <paramref name="PositiveRate"/>.</param>
/// <param name="Recall">Recall on the validation pairs at the threshold.</param>
/// <param name="F1">F1 on the validation pairs at the threshold.</param>
/// <param name="PositivePairs">Number of positive validation pairs.</param>
/// <param name="NegativePairs">Number of negative validation pairs.</param>
/// <param name="PositiveRate">The share of "same" pairs that precision and F1 are for: the rate the caller stated
/// (the mix the threshold will meet), or the validation pairs' own share (0.5 on balanced pairs).</param>
public sealed record ThresholdCalibration(float Threshold, CalibrationObjective Objective, double TargetPrecision,
    double Precision, double Recall, double F1, long PositivePairs, long NegativePairs, double PositiveRate)
{
    /// <summary>True when <paramref name="similarity"/> is at or above the threshold.</summary>
    public bool IsMatch(float similarity) => similarity >= Threshold;
}
