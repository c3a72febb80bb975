using System.CommandLine;
using Microsoft.ML;
using MlNetSiamese.Cli.Output;

namespace MlNetSiamese.Cli.Commands;

/// <summary>
/// The same/different threshold, as train and evaluate --calibrate choose it: on balanced pairs, for best F1 or for a
/// target precision, with precision stated at the share of "same" pairs the threshold will meet (--positive-rate).
/// </summary>
public sealed class CalibrationStep
{
    private readonly Option<double?> positiveRate = new("--positive-rate")
    {
        Description = "Share of \"same\" pairs the threshold will meet in use, in (0, 1) (with 10 equally frequent classes, random pairs are \"same\" 0.1 of the time); precision and F1 are stated for it. Default: the calibration pairs' own (0.5, balanced).",
    };
    private readonly Option<double?> targetPrecision = new("--target-precision")
    {
        Description = "Choose the lowest threshold whose precision (at --positive-rate) reaches this, in (0, 1]. Default: none (the best F1).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(positiveRate);
        command.Options.Add(targetPrecision);
    }

    /// <summary>The calibration settings the command line asked for; wrong values are refused in the flags' words.</summary>
    public CalibrationOptions Options(ParseResult r, int seed)
    {
        var rate = r.GetValue(positiveRate);
        if (rate is { } p && !(p > 0 && p < 1)) throw new UsageException($"--positive-rate is a share of pairs, in (0, 1); got {p}.");
        var target = r.GetValue(targetPrecision);
        if (target is { } t && !(t > 0 && t <= 1)) throw new UsageException($"--target-precision must be in (0, 1]; got {t}.");
        return new CalibrationOptions
        {
            Seed = seed, PairSampling = PairSampling.Balanced, PositiveRate = rate,
            Objective = target.HasValue ? CalibrationObjective.MinimumPrecision : CalibrationObjective.BestF1, TargetPrecision = target ?? 0.95,
        };
    }

    /// <summary>
    /// Calibrates on balanced pairs of <paramref name="embedded"/> (null, with a warning, when its pairs allow none).
    /// Calibration and assessment both use balanced pairs and state precision at the same share of "same" pairs, so a
    /// threshold is never chosen at one mix and judged at another.
    /// </summary>
    public static ThresholdCalibration? Calibrate(CliContext context, MLContext ml, IDataView embedded, CalibrationOptions options)
    {
        try { return ml.Siamese().CalibrateThreshold(embedded, "Label", "Embedding", options); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            context.Error.WriteLine($"warning: no threshold calibrated: {e.Message}");
            return null;
        }
    }

    /// <summary>calibration.json: the calibration, the pair mix its precision is for, and the rows it was chosen on (never the rows it is judged on).</summary>
    public static object Document(ThresholdCalibration c, string calibratedOn) => new
    {
        c.Threshold, c.Objective, c.TargetPrecision, c.Precision, c.Recall, c.F1, c.PositiveRate, c.PositivePairs, c.NegativePairs, CalibratedOn = calibratedOn,
    };
}
