namespace MlNetSiamese.Evaluation;

/// <summary>Chooses a cosine-similarity threshold on validation pairs.</summary>
public static class ThresholdCalibrator
{
    /// <summary>Calibrates a threshold on scored validation pairs.</summary>
    /// <param name="scores">Cosine similarity of each pair.</param>
    /// <param name="isPositive">True for same-item (same-class) pairs.</param>
    /// <param name="objective">What the threshold is chosen for.</param>
    /// <param name="targetPrecision">Required precision for <see cref="CalibrationObjective.MinimumPrecision"/>, in (0, 1].</param>
    /// <param name="positiveRate">The share of "same" pairs the threshold will meet, in (0, 1): precision and F1 are
    /// computed at that mix from the pairs' true- and false-positive rates (a balanced validation set says nothing of
    /// precision at 1 "same" pair in 10). Null: the pairs' own mix.</param>
    /// <exception cref="InvalidOperationException">No threshold reaches <paramref name="targetPrecision"/>.</exception>
    public static ThresholdCalibration Calibrate(ReadOnlySpan<float> scores, ReadOnlySpan<bool> isPositive,
        CalibrationObjective objective = CalibrationObjective.BestF1, double targetPrecision = 0.95, double? positiveRate = null)
    {
        CheckRate(positiveRate);
        if (objective == CalibrationObjective.MinimumPrecision && !(targetPrecision > 0 && targetPrecision <= 1))
            throw new ArgumentOutOfRangeException(nameof(targetPrecision), targetPrecision, "The target precision must be in (0, 1].");
        if (!Enum.IsDefined(objective)) throw new ArgumentOutOfRangeException(nameof(objective), objective, "Unknown objective.");
        var sweep = ThresholdSweep.Run(scores, isPositive);
        long pos = sweep.Positives, neg = sweep.Negatives;
        double rate = positiveRate ?? (double)pos / (pos + neg);
        double Precision(ThresholdSweep.Point p) => PrecisionAt(p.TruePositives, p.FalsePositives, pos, neg, rate);
        double F1(ThresholdSweep.Point p) => F1Of(Precision(p), (double)p.TruePositives / pos);

        int chosen = -1;
        double bestF1 = -1, bestPrecision = -1;
        int bestPrecisionAt = 0;
        for (int i = 0; i < sweep.Points.Length; i++)
        {
            var pt = sweep.Points[i];
            double precision = Precision(pt);
            if (objective == CalibrationObjective.BestF1)
            {
                double f1 = F1(pt);
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
            Precision(c), (double)c.TruePositives / pos, F1(c), pos, neg, rate);
    }

    /// <summary>Calibrates on pairs formed from a labelled embedding set (row-major; see <see cref="PairSampler"/>).</summary>
    public static ThresholdCalibration Calibrate(ReadOnlySpan<float> embeddings, int dimension, ReadOnlySpan<int> labels,
        CalibrationOptions? options = null)
    {
        options ??= new();
        var pairs = PairSampler.CreateScored(embeddings, dimension, labels, options.ToPairOptions());
        return Calibrate(pairs.Scores, pairs.IsPositive, options.Objective, options.TargetPrecision, options.PositiveRate);
    }

    /// <summary>Precision, recall, F1 and accuracy of a fixed <paramref name="threshold"/> on scored pairs.</summary>
    /// <param name="scores">Cosine similarity of each pair.</param>
    /// <param name="isPositive">True for same-item (same-class) pairs.</param>
    /// <param name="threshold">"Same" when the similarity is at or above it.</param>
    /// <param name="positiveRate">The share of "same" pairs precision, F1 and accuracy are for (see <see cref="Calibrate(ReadOnlySpan{float}, ReadOnlySpan{bool}, CalibrationObjective, double, double?)"/>); null: the pairs' own.</param>
    public static ThresholdAssessment Assess(ReadOnlySpan<float> scores, ReadOnlySpan<bool> isPositive, float threshold, double? positiveRate = null)
    {
        CheckRate(positiveRate);
        if (scores.Length != isPositive.Length) throw new ArgumentException($"{scores.Length} scores but {isPositive.Length} labels.", nameof(isPositive));
        if (float.IsNaN(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a number.");
        long tp = 0, fp = 0, pos = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (isPositive[i]) pos++;
            if (scores[i] >= threshold) { if (isPositive[i]) tp++; else fp++; }
        }
        long neg = scores.Length - pos, tn = neg - fp;
        double rate = positiveRate ?? (scores.Length == 0 ? double.NaN : (double)pos / scores.Length);
        double precision = tp + fp == 0 ? double.NaN : PrecisionAt(tp, fp, pos, neg, rate);
        double recall = pos == 0 ? double.NaN : (double)tp / pos;
        double accuracy = pos == 0 || neg == 0 ? (scores.Length == 0 ? double.NaN : (double)(tp + tn) / scores.Length)
            : rate * recall + (1 - rate) * tn / neg;
        return new ThresholdAssessment(threshold, precision, recall, tp == 0 ? 0 : F1Of(precision, recall), accuracy, pos, neg, rate);
    }

    /// <summary>Precision at a share <paramref name="rate"/> of positives: rate x TPR / (rate x TPR + (1 - rate) x FPR); at the pairs' own share it is tp / (tp + fp).</summary>
    private static double PrecisionAt(long tp, long fp, long pos, long neg, double rate)
    {
        double tpr = (double)tp / pos, fpr = neg == 0 ? 0 : (double)fp / neg;
        double hits = rate * tpr, false_ = (1 - rate) * fpr;
        return hits + false_ == 0 ? double.NaN : hits / (hits + false_);
    }

    private static double F1Of(double precision, double recall) => precision + recall == 0 || double.IsNaN(precision) ? 0 : 2 * precision * recall / (precision + recall);

    private static void CheckRate(double? rate)
    {
        if (rate is { } r && !(r > 0 && r < 1)) throw new ArgumentOutOfRangeException("positiveRate", r, "The positive rate (share of \"same\" pairs) must be in (0, 1).");
    }
}
