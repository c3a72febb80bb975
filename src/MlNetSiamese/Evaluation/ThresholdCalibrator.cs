namespace MlNetSiamese.Evaluation;

/// <summary>Chooses a cosine-similarity threshold on validation pairs.</summary>
public static class ThresholdCalibrator
{
    /// <summary>Calibrates a threshold on scored validation pairs.</summary>
    /// <param name="scores">Cosine similarity of each pair.</param>
    /// <param name="isPositive">True for same-item (same-class) pairs.</param>
    /// <param name="objective">What the threshold is chosen for.</param>
    /// <param name="targetPrecision">Required precision for <see cref="CalibrationObjective.MinimumPrecision"/>, in (0, 1].</param>
    /// <exception cref="InvalidOperationException">No threshold reaches <paramref name="targetPrecision"/>.</exception>
    public static ThresholdCalibration Calibrate(ReadOnlySpan<float> scores, ReadOnlySpan<bool> isPositive,
        CalibrationObjective objective = CalibrationObjective.BestF1, double targetPrecision = 0.95)
    {
        if (objective == CalibrationObjective.MinimumPrecision && !(targetPrecision > 0 && targetPrecision <= 1))
            throw new ArgumentOutOfRangeException(nameof(targetPrecision), targetPrecision, "The target precision must be in (0, 1].");
        if (!Enum.IsDefined(objective)) throw new ArgumentOutOfRangeException(nameof(objective), objective, "Unknown objective.");
        var sweep = ThresholdSweep.Run(scores, isPositive);
        long pos = sweep.Positives;

        int chosen = -1;
        double bestF1 = -1, bestPrecision = -1;
        int bestPrecisionAt = 0;
        for (int i = 0; i < sweep.Points.Length; i++)
        {
            var pt = sweep.Points[i];
            double precision = (double)pt.TruePositives / (pt.TruePositives + pt.FalsePositives);
            if (objective == CalibrationObjective.BestF1)
            {
                double f1 = F1(pt.TruePositives, pt.FalsePositives, pos);
                if (f1 > bestF1) { bestF1 = f1; chosen = i; }
            }
            else
            {
                if (precision >= targetPrecision) chosen = i; // later points have lower thresholds and higher recall
                if (precision > bestPrecision) { bestPrecision = precision; bestPrecisionAt = i; }
            }
        }
        if (chosen < 0)
            throw new InvalidOperationException(
                $"No threshold reaches precision {targetPrecision} on the {scores.Length} validation pairs; the best precision is " +
                $"{bestPrecision:0.####} at threshold {sweep.Points[bestPrecisionAt].Threshold}.");

        var c = sweep.Points[chosen];
        return new ThresholdCalibration(c.Threshold, objective,
            objective == CalibrationObjective.MinimumPrecision ? targetPrecision : double.NaN,
            (double)c.TruePositives / (c.TruePositives + c.FalsePositives),
            (double)c.TruePositives / pos,
            F1(c.TruePositives, c.FalsePositives, pos),
            pos, sweep.Negatives);
    }

    /// <summary>Calibrates on pairs formed from a labelled embedding set (row-major; see <see cref="PairSampler"/>).</summary>
    public static ThresholdCalibration Calibrate(ReadOnlySpan<float> embeddings, int dimension, ReadOnlySpan<int> labels,
        CalibrationOptions? options = null)
    {
        options ??= new();
        var pairs = PairSampler.CreateScored(embeddings, dimension, labels, options.ToPairOptions());
        return Calibrate(pairs.Scores, pairs.IsPositive, options.Objective, options.TargetPrecision);
    }

    /// <summary>Precision, recall, F1 and accuracy of a fixed <paramref name="threshold"/> on scored pairs.</summary>
    /// <param name="scores">Cosine similarity of each pair.</param>
    /// <param name="isPositive">True for same-item (same-class) pairs.</param>
    /// <param name="threshold">"Same" when the similarity is at or above it.</param>
    public static ThresholdAssessment Assess(ReadOnlySpan<float> scores, ReadOnlySpan<bool> isPositive, float threshold)
    {
        if (scores.Length != isPositive.Length) throw new ArgumentException($"{scores.Length} scores but {isPositive.Length} labels.", nameof(isPositive));
        if (float.IsNaN(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a number.");
        long tp = 0, fp = 0, pos = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (isPositive[i]) pos++;
            if (scores[i] >= threshold) { if (isPositive[i]) tp++; else fp++; }
        }
        long neg = scores.Length - pos, tn = neg - fp;
        return new ThresholdAssessment(threshold,
            tp + fp == 0 ? double.NaN : (double)tp / (tp + fp),
            pos == 0 ? double.NaN : (double)tp / pos,
            tp == 0 ? 0 : F1(tp, fp, pos),
            scores.Length == 0 ? double.NaN : (double)(tp + tn) / scores.Length,
            pos, neg);
    }

    private static double F1(long tp, long fp, long pos) => 2.0 * tp / (2.0 * tp + fp + (pos - tp));
}
