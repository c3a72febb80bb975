using MlNetSiamese.Evaluation;
using Xunit;

namespace MlNetSiamese.Tests.Evaluation;

public class ThresholdCalibratorTests
{
    private static readonly float[] Scores = [0.9f, 0.8f, 0.4f, 0.7f, 0.3f, 0.2f];
    private static readonly bool[] Positive = [true, true, true, false, false, false];

    [Fact]
    public void BestF1HandComputed()
    {
        var c = ThresholdCalibrator.Calibrate(Scores, Positive);
        Assert.Equal(0.4f, c.Threshold);
        Assert.Equal(0.75, c.Precision, 12);
        Assert.Equal(1.0, c.Recall, 12);
        Assert.Equal(6.0 / 7, c.F1, 12);
        Assert.True(double.IsNaN(c.TargetPrecision));
        Assert.True(c.IsMatch(0.4f));
        Assert.False(c.IsMatch(0.39f));
    }

    [Fact]
    public void PrecisionIsStatedAtTheGivenShareOfSamePairs()
    {
        // At threshold 0.4: TPR 3/3, FPR 1/3. At a share 0.1 of "same" pairs: 0.1 x 1 / (0.1 x 1 + 0.9 x 1/3) = 0.25.
        var c = ThresholdCalibrator.Calibrate(Scores, Positive, CalibrationObjective.MinimumPrecision, 0.25, positiveRate: 0.1);
        Assert.Equal(0.4f, c.Threshold);
        Assert.Equal(0.25, c.Precision, 12);
        Assert.Equal(0.1, c.PositiveRate, 12);
        // Best F1 at that share moves up to 0.8 (TPR 2/3, FPR 0: precision 1, F1 0.8) from 0.4 (precision 0.25, F1 0.4).
        var f1 = ThresholdCalibrator.Calibrate(Scores, Positive, positiveRate: 0.1);
        Assert.Equal(0.8f, f1.Threshold);
        Assert.Equal(0.8, f1.F1, 12);
        // The pairs' own share (here 0.5) unless one is stated.
        Assert.Equal(0.5, ThresholdCalibrator.Calibrate(Scores, Positive).PositiveRate, 12);

        var a = ThresholdCalibrator.Assess(Scores, Positive, 0.4f, positiveRate: 0.1);
        Assert.Equal(0.25, a.Precision, 12);
        Assert.Equal(0.1 * 1 + 0.9 * (2.0 / 3), a.Accuracy, 12);   // share-weighted: TPR and TNR
        Assert.Equal(0.75, ThresholdCalibrator.Assess(Scores, Positive, 0.4f).Precision, 12);
        Assert.Equal("positiveRate", Assert.Throws<ArgumentOutOfRangeException>(() => ThresholdCalibrator.Calibrate(Scores, Positive, positiveRate: 1)).ParamName);
    }

    [Theory]
    [InlineData(1.0, 0.8f, 2.0 / 3)]   // only the top two scores are clean
    [InlineData(0.75, 0.4f, 1.0)]      // 3 TP, 1 FP
    [InlineData(0.76, 0.8f, 2.0 / 3)]  // 0.4 gives 0.75, not enough
    public void MinimumPrecisionHandComputed(double target, float threshold, double recall)
    {
        var c = ThresholdCalibrator.Calibrate(Scores, Positive, CalibrationObjective.MinimumPrecision, target);
        Assert.Equal(threshold, c.Threshold);
        Assert.Equal(recall, c.Recall, 12);
        Assert.True(c.Precision >= target);
        Assert.Equal(target, c.TargetPrecision);
    }

    [Fact]
    public void UnreachablePrecisionIsRefused()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            ThresholdCalibrator.Calibrate([0.1f, 0.9f], [true, false], CalibrationObjective.MinimumPrecision, 0.9));
        Assert.Contains("best precision", ex.Message);
        Assert.Equal("targetPrecision", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ThresholdCalibrator.Calibrate(Scores, Positive, CalibrationObjective.MinimumPrecision, 1.5)).ParamName);
    }

    [Fact]
    public void MatchesNaiveReferenceOnEmbeddings()
    {
        const int dim = 8;
        var (emb, labels) = TestData.Clustered(120, dim, 4, 1.3f, 21);
        var pairs = PairSampler.CreateScored(emb, dim, labels);
        var s = pairs.Scores; var p = pairs.IsPositive;
        double Precision(float t) { int tp = 0, fp = 0; for (int i = 0; i < s.Length; i++) if (s[i] >= t) { if (p[i]) tp++; else fp++; } return (double)tp / (tp + fp); }
        var thresholds = s.Distinct().OrderByDescending(x => x).ToArray();

        var c = ThresholdCalibrator.Calibrate(emb, dim, labels, new() { Objective = CalibrationObjective.MinimumPrecision, TargetPrecision = 0.9 });
        float expected = thresholds.Last(t => Precision(t) >= 0.9); // lowest threshold meeting the target
        Assert.Equal(expected, c.Threshold);
        Assert.InRange(c.Recall, 0.01, 0.999);

        var f1 = ThresholdCalibrator.Calibrate(emb, dim, labels);
        Assert.Equal(PairEvaluator.Evaluate(s, p).BestF1Threshold, f1.Threshold);
    }
}
