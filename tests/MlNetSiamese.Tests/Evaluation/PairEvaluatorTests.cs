using MlNetSiamese.Evaluation;
using Xunit;

namespace MlNetSiamese.Tests.Evaluation;

public class PairEvaluatorTests
{
    private static readonly float[] Scores = [0.9f, 0.8f, 0.4f, 0.7f, 0.3f, 0.2f];
    private static readonly bool[] Positive = [true, true, true, false, false, false];

    [Fact]
    public void HandComputedSmallCase()
    {
        var m = PairEvaluator.Evaluate(Scores, Positive, histogramBins: 4);
        Assert.Equal(8.0 / 9, m.RocAuc, 12);             // 8 of 9 (pos, neg) pairs ordered correctly
        Assert.Equal(5.0 / 6, m.BestAccuracy, 12);       // at 0.8 and at 0.4: the higher threshold is reported
        Assert.Equal(0.8f, m.BestAccuracyThreshold);
        Assert.Equal(6.0 / 7, m.BestF1, 12);             // at 0.4: TP 3, FP 1, FN 0
        Assert.Equal(0.4f, m.BestF1Threshold);
        Assert.Equal(1.0 / 3, m.EqualErrorRate, 12);     // at 0.7: FPR = FNR = 1/3
        Assert.Equal(0.7f, m.EqualErrorRateThreshold);
        Assert.Equal(0.7, m.PositiveMean, 6);
        Assert.Equal(0.4, m.NegativeMean, 6);
        Assert.Equal(new long[] { 0, 0, 1, 2 }, m.PositiveHistogram.Counts);
        Assert.Equal(new long[] { 0, 0, 2, 1 }, m.NegativeHistogram.Counts);
        Assert.Equal(3, m.PositivePairCount);
        Assert.Equal(3, m.NegativePairCount);
        Assert.Equal(7, m.RocCurve.Count);
        Assert.Equal((0.0, 0.0), (m.RocCurve[0].FalsePositiveRate, m.RocCurve[0].TruePositiveRate));
        Assert.Equal((1.0, 1.0), (m.RocCurve[^1].FalsePositiveRate, m.RocCurve[^1].TruePositiveRate));
    }

    [Fact]
    public void EqualErrorRateIsInterpolatedBetweenRocPoints()
    {
        // pos {0.9, 0.5}, neg {0.6, 0.1}: at 0.9 FNR-FPR = 1/2, at 0.6 = 1/2 - 1/2 = 0 -> EER = 1/2 exactly at 0.6.
        var a = PairEvaluator.Evaluate([0.9f, 0.5f, 0.6f, 0.1f], [true, true, false, false]);
        Assert.Equal(0.5, a.EqualErrorRate, 12);
        // pos {0.9}, neg {0.5, 0.4}: from (FPR 0, FNR 0) at 0.9 the crossing is immediate -> EER 0.
        var b = PairEvaluator.Evaluate([0.9f, 0.5f, 0.4f], [true, false, false]);
        Assert.Equal(0.0, b.EqualErrorRate, 12);
        // pos {0.5}, neg {0.9}: (0,0) -> (FPR 1, FNR 1) at 0.9: d goes 1 -> 0 -> EER = 1.
        var c = PairEvaluator.Evaluate([0.5f, 0.9f], [true, false]);
        Assert.Equal(1.0, c.EqualErrorRate, 12);
        Assert.Equal(0.0, c.RocAuc, 12);
    }

    [Fact]
    public void TiedScoresCountHalfInAuc()
    {
        var m = PairEvaluator.Evaluate([0.5f, 0.5f, 0.5f, 0.5f], [true, false, true, false]);
        Assert.Equal(0.5, m.RocAuc, 12);
        Assert.Equal(2, m.RocCurve.Count); // one distinct score
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MatchesNaiveReferenceOnRandomScores(int seed)
    {
        var rng = new Random(seed);
        int n = 400;
        // Rounded scores create many ties.
        var scores = Enumerable.Range(0, n).Select(_ => (float)Math.Round(rng.NextDouble() * 2 - 1, 2)).ToArray();
        var pos = scores.Select(s => rng.NextDouble() < 0.3 + 0.4 * (s + 1) / 2).ToArray();

        var m = PairEvaluator.Evaluate(scores, pos);

        var p = scores.Where((_, i) => pos[i]).ToArray();
        var q = scores.Where((_, i) => !pos[i]).ToArray();
        double auc = p.Sum(a => q.Sum(b => a > b ? 1.0 : a == b ? 0.5 : 0.0)) / (p.Length * (double)q.Length);
        Assert.Equal(auc, m.RocAuc, 9);

        double Acc(float t) => (p.Count(s => s >= t) + q.Count(s => s < t)) / (double)n;
        double F1(float t) { int tp = p.Count(s => s >= t), fp = q.Count(s => s >= t), fn = p.Length - tp; return 2.0 * tp / (2 * tp + fp + fn); }
        var thresholds = scores.Distinct().OrderByDescending(s => s).ToArray();
        Assert.Equal(thresholds.Max(Acc), m.BestAccuracy, 12);
        Assert.Equal(thresholds.First(t => Acc(t) == thresholds.Max(Acc)), m.BestAccuracyThreshold);
        Assert.Equal(thresholds.Max(F1), m.BestF1, 12);
        Assert.Equal(thresholds.First(t => F1(t) == thresholds.Max(F1)), m.BestF1Threshold);

        // EER: at its threshold FNR <= FPR; at the next higher threshold FNR > FPR; EER lies between the two FPRs.
        double Fpr(float t) => q.Count(s => s >= t) / (double)q.Length;
        double Fnr(float t) => p.Count(s => s < t) / (double)p.Length;
        float te = m.EqualErrorRateThreshold;
        Assert.True(Fnr(te) <= Fpr(te));
        var higher = thresholds.Where(t => t > te).ToArray();
        double prevFpr = higher.Length == 0 ? 0 : Fpr(higher.Min()), prevFnr = higher.Length == 0 ? 1 : Fnr(higher.Min());
        Assert.True(prevFnr > prevFpr);
        Assert.InRange(m.EqualErrorRate, prevFpr - 1e-12, Fpr(te) + 1e-12);
        Assert.InRange(m.EqualErrorRate, Fnr(te) - 1e-12, prevFnr + 1e-12);

        Assert.Equal(p.Average(s => (double)s), m.PositiveMean, 6);
        Assert.Equal(q.Average(s => (double)s), m.NegativeMean, 6);
        Assert.Equal(p.Length, m.PositiveHistogram.Counts.Sum());
        Assert.Equal(q.Length, m.NegativeHistogram.Counts.Sum());
    }

    [Fact]
    public void MissingPositivesOrNegativesIsRefused()
    {
        Assert.Equal("isPositive", Assert.Throws<ArgumentException>(() => PairEvaluator.Evaluate([0.1f, 0.2f], [false, false])).ParamName);
        Assert.Equal("isPositive", Assert.Throws<ArgumentException>(() => PairEvaluator.Evaluate([0.1f, 0.2f], [true, true])).ParamName);
        Assert.Equal("isPositive", Assert.Throws<ArgumentException>(() => PairEvaluator.Evaluate([0.1f, 0.2f], [true])).ParamName);
        Assert.Equal("scores", Assert.Throws<ArgumentException>(() => PairEvaluator.Evaluate([float.NaN, 0.2f], [true, false])).ParamName);
    }
}
