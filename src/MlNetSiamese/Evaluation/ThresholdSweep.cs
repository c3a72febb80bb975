namespace MlNetSiamese.Evaluation;

/// <summary>
/// Confusion counts at every distinct score used as threshold ("same" when score &gt;= threshold), thresholds descending.
/// Shared by the pair metrics and the threshold calibration.
/// </summary>
internal sealed class ThresholdSweep
{
    public readonly record struct Point(float Threshold, long TruePositives, long FalsePositives);

    public required Point[] Points { get; init; }
    public required long Positives { get; init; }
    public required long Negatives { get; init; }

    public static ThresholdSweep Run(ReadOnlySpan<float> scores, ReadOnlySpan<bool> isPositive)
    {
        if (scores.Length != isPositive.Length)
            throw new ArgumentException($"'scores' has {scores.Length} entries but 'isPositive' has {isPositive.Length}.", nameof(isPositive));
        long pos = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (float.IsNaN(scores[i])) throw new ArgumentException($"'scores' entry {i} is NaN.", nameof(scores));
            if (isPositive[i]) pos++;
        }
        long neg = scores.Length - pos;
        if (pos == 0) throw new ArgumentException("There are no positive (same-class) pairs; at least one is needed.", nameof(isPositive));
        if (neg == 0) throw new ArgumentException("There are no negative (different-class) pairs; at least one is needed.", nameof(isPositive));

        var keys = scores.ToArray();
        var flags = isPositive.ToArray();
        Array.Sort(keys, flags);
        var points = new List<Point>();
        long tp = 0, fp = 0;
        for (int i = keys.Length - 1; i >= 0;)
        {
            float s = keys[i];
            for (; i >= 0 && keys[i] == s; i--)
                if (flags[i]) tp++; else fp++;
            points.Add(new Point(s, tp, fp));
        }
        return new ThresholdSweep { Points = points.ToArray(), Positives = pos, Negatives = neg };
    }
}
