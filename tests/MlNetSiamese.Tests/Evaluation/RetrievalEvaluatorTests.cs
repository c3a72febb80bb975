using MlNetSiamese.Evaluation;
using Xunit;

namespace MlNetSiamese.Tests.Evaluation;

public class RetrievalEvaluatorTests
{
    private static void AssertMatches(NaiveRetrieval expected, RetrievalMetrics actual)
    {
        Assert.Equal(expected.Evaluated, actual.EvaluatedQueryCount);
        Assert.Equal(expected.P1, actual.PrecisionAt1, 12);
        Assert.Equal(expected.RPrecision, actual.RPrecision, 12);
        Assert.Equal(expected.MapAtR, actual.MapAtR, 12);
        Assert.Equal(expected.Knn, actual.KnnAccuracy, 12);
        foreach (var (k, v) in expected.Recall) Assert.Equal(v, actual.RecallAtK[k], 12);
        Assert.Equal(expected.PerClass.OrderBy(p => p.Key), actual.PerClassPrecisionAt1.OrderBy(p => p.Key));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(3, 40)] // k larger than most classes
    public void LeaveOneOutMatchesNaiveReference(int seed, int knnK)
    {
        const int dim = 12;
        var (emb, labels) = TestData.Clustered(150, dim, 6, noise: 1.2f, seed);
        labels[7] = 99; // a class with one member: excluded
        var options = new SiameseEvaluationOptions { RecallAtK = [1, 3, 10, 200], KnnK = knnK };

        var metrics = RetrievalEvaluator.EvaluateLeaveOneOut(emb, dim, labels, options);

        var expected = NaiveRetrieval.Compute(emb, labels, emb, labels, dim, true, options.RecallAtK, knnK);
        AssertMatches(expected, metrics);
        Assert.Equal(1, metrics.ExcludedQueryCount);
        Assert.Equal(150, metrics.QueryCount);
        Assert.InRange(metrics.PrecisionAt1, 0.05, 0.999); // neither trivial nor degenerate data
        Assert.Equal(1.0, metrics.RecallAtK[200], 12); // k beyond the gallery: every evaluated query has a hit
    }

    [Fact]
    public void QueriesAgainstGalleryMatchNaiveReference()
    {
        const int dim = 10;
        var (g, gl) = TestData.Clustered(120, dim, 5, 1.0f, 11);
        var (q, ql) = TestData.Clustered(60, dim, 6, 1.0f, 12); // class 5 may be absent from the gallery
        var options = new SiameseEvaluationOptions { RecallAtK = [1, 5], KnnK = 3 };

        var metrics = RetrievalEvaluator.EvaluateQueries(q, ql, g, gl, dim, options);

        var expected = NaiveRetrieval.Compute(q, ql, g, gl, dim, false, options.RecallAtK, 3);
        AssertMatches(expected, metrics);
        Assert.Equal(ql.Count(c => !gl.Contains(c)), metrics.ExcludedQueryCount);
        Assert.False(metrics.LeaveOneOut);
    }

    [Fact]
    public void HandComputedTiesBreakTowardsLowerGalleryPosition()
    {
        // 0:(1,0) A, 1:(1,1) B, 2:(1,-1) A, 3:(-1,0) B. Query 0 sees items 1 and 2 tied; query 3 sees 1 and 2 tied.
        float[] emb = [1, 0, 1, 1, 1, -1, -1, 0];
        int[] labels = [0, 1, 0, 1];
        var m2 = RetrievalEvaluator.EvaluateLeaveOneOut(emb, 2, labels, new() { RecallAtK = [1, 2, 5], KnnK = 2 });
        Assert.Equal(0.5, m2.PrecisionAt1, 12);   // q0 -> item1 (B) wrong, q1 -> item0 wrong, q2 -> item0 right, q3 -> item1 right
        Assert.Equal(0.5, m2.RPrecision, 12);
        Assert.Equal(0.5, m2.MapAtR, 12);
        Assert.Equal(0.5, m2.RecallAtK[1], 12);
        Assert.Equal(0.75, m2.RecallAtK[2], 12);  // q1's class-mate is third
        Assert.Equal(1.0, m2.RecallAtK[5], 12);   // k larger than the gallery
        Assert.Equal(0.5, m2.KnnAccuracy, 12);    // 1-1 votes go to the nearer class
        Assert.Equal(0.5, m2.PerClassPrecisionAt1["0"], 12);
        Assert.Equal(0.5, m2.PerClassPrecisionAt1["1"], 12);

        var m3 = RetrievalEvaluator.EvaluateLeaveOneOut(emb, 2, labels, new() { KnnK = 3 });
        Assert.Equal(0.0, m3.KnnAccuracy, 12);    // every query's top 3 holds two of the other class
    }

    [Fact]
    public void HandComputedMapAtRWithClassLargerThanTopK()
    {
        // Gallery at 10 deg (A), 20 (B), 30 (A), 90 (B). Query at 0 deg (A): ranks A,B,A,B. Query at 95 deg (A): B,A,B,A.
        var gallery = TestData.Angles2D(10, 20, 30, 90);
        int[] gl = [0, 1, 0, 1];
        var queries = TestData.Angles2D(0, 95, 50);
        int[] ql = [0, 0, 7]; // class 7 is not in the gallery
        var m = RetrievalEvaluator.EvaluateQueries(queries, ql, gallery, gl, 2, new() { RecallAtK = [1, 2, 10], KnnK = 10 });
        Assert.Equal(2, m.EvaluatedQueryCount);
        Assert.Equal(1, m.ExcludedQueryCount);
        Assert.Equal(0.5, m.PrecisionAt1, 12);
        Assert.Equal(0.5, m.RPrecision, 12);          // both: one of the top 2 (R = 2) is correct
        Assert.Equal((0.5 + 0.25) / 2, m.MapAtR, 12); // q0: (1/1)/2; q1: (1/2)/2
        Assert.Equal(0.5, m.RecallAtK[1], 12);
        Assert.Equal(1.0, m.RecallAtK[2], 12);
        Assert.Equal(1.0, m.RecallAtK[10], 12);
        Assert.Equal(0.5, m.KnnAccuracy, 12);         // k > gallery: 2-2 votes, nearest class wins
    }

    [Fact]
    public void NonNormalisedInputGivesTheSameMetricsAsNormalised()
    {
        const int dim = 6;
        var (emb, labels) = TestData.Clustered(80, dim, 4, 1.5f, 5);
        var scaled = emb.Select((v, i) => v * (1 + (i / dim) % 7)).ToArray();
        var a = RetrievalEvaluator.EvaluateLeaveOneOut(emb, dim, labels);
        var b = RetrievalEvaluator.EvaluateLeaveOneOut(scaled, dim, labels);
        Assert.Equal(a.MapAtR, b.MapAtR, 6);
        Assert.Equal(a.PrecisionAt1, b.PrecisionAt1, 6);
    }

    [Fact]
    public void AllSingletonClassesIsRefused()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            RetrievalEvaluator.EvaluateLeaveOneOut(TestData.Gaussian(4, 3, 1), 3, [1, 2, 3, 4]));
        Assert.Contains("two items", ex.Message);
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        var emb = TestData.Gaussian(5, 4, 2);
        int[] labels = [0, 0, 1, 1, 1];
        var nan = (float[])emb.Clone(); nan[9] = float.NaN;
        Assert.Contains("row 2", Assert.Throws<ArgumentException>(() => RetrievalEvaluator.EvaluateLeaveOneOut(nan, 4, labels)).Message);
        var zero = (float[])emb.Clone(); Array.Clear(zero, 4, 4);
        Assert.Contains("zero vector", Assert.Throws<ArgumentException>(() => RetrievalEvaluator.EvaluateLeaveOneOut(zero, 4, labels)).Message);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => RetrievalEvaluator.EvaluateLeaveOneOut(emb, 4, [0, 1])).ParamName);
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => RetrievalEvaluator.EvaluateLeaveOneOut(emb[..4], 4, [0])).Message);
        Assert.Equal("embeddings", Assert.Throws<ArgumentException>(() => RetrievalEvaluator.EvaluateLeaveOneOut(emb[..7], 4, [0, 1])).ParamName);
        Assert.Equal("RecallAtK", Assert.Throws<ArgumentOutOfRangeException>(() =>
            RetrievalEvaluator.EvaluateLeaveOneOut(emb, 4, labels, new() { RecallAtK = [1, 0] })).ParamName);
        Assert.Equal("KnnK", Assert.Throws<ArgumentOutOfRangeException>(() =>
            RetrievalEvaluator.EvaluateLeaveOneOut(emb, 4, labels, new() { KnnK = 0 })).ParamName);
    }
}
