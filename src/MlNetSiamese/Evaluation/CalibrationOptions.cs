namespace MlNetSiamese;

/// <summary>Options for <c>ml.Siamese().CalibrateThreshold(...)</c>.</summary>
public sealed class CalibrationOptions
{
    /// <summary>What the threshold is chosen for. Default <see cref="CalibrationObjective.BestF1"/>.</summary>
    public CalibrationObjective Objective { get; set; } = CalibrationObjective.BestF1;

    /// <summary>Required precision in (0, 1] for <see cref="CalibrationObjective.MinimumPrecision"/>. Default 0.95.</summary>
    public double TargetPrecision { get; set; } = 0.95;

    /// <summary>How validation pairs are formed from a labelled embedding set (as in evaluation). Default <see cref="PairSampling.Balanced"/>.</summary>
    public PairSampling PairSampling { get; set; } = PairSampling.Balanced;

    /// <summary>Positive (and as many negative) pairs drawn under balanced sampling. Default 10,000.</summary>
    public int BalancedPairCount { get; set; } = 10_000;

    /// <summary>
    /// The share of "same" pairs the threshold will meet in use, in (0, 1), for which precision and F1 are computed
    /// (from the validation pairs' true- and false-positive rates). Null (default): the validation pairs' own mix, 0.5
    /// on balanced pairs; with 10 equally frequent classes random pairs are "same" 1 time in 10.
    /// </summary>
    public double? PositiveRate { get; set; }

    /// <summary>Seed of the balanced sampling. Default 0.</summary>
    public int Seed { get; set; }

    internal SiameseEvaluationOptions ToPairOptions() => new()
    {
        PairSampling = PairSampling, BalancedPairCount = BalancedPairCount, Seed = Seed,
    };
}
