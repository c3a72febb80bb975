using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Evaluation;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Tests.Catalog;

public class SiameseCatalogTests(ITestOutputHelper output)
{
    private const int Dim = 8;

    private sealed class Row
    {
        public string Label { get; set; } = "";
        [VectorType(Dim)] public float[] Embedding { get; set; } = [];
    }

    private sealed class NumberRow
    {
        public int Label { get; set; }
        public float FloatLabel { get; set; }
        public long Id { get; set; }
        [VectorType(Dim)] public float[] Embedding { get; set; } = [];
    }

    private sealed class VariableRow
    {
        public string Label { get; set; } = "";
        public float[] Embedding { get; set; } = [];
    }

    private sealed class PairRow
    {
        public float Similarity { get; set; }
        public bool Label { get; set; }
    }

    private static (float[] Emb, int[] Labels, IDataView View) Data(MLContext ml, int rows, int seed)
    {
        var (emb, labels) = TestData.Clustered(rows, Dim, 5, 1.2f, seed);
        var view = ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows)
            .Select(i => new Row { Label = "c" + labels[i], Embedding = TestData.Row(emb, Dim, i) }).ToList());
        return (emb, labels, view);
    }

    [Fact]
    public void EvaluateMatchesTheArrayEvaluators()
    {
        var ml = new MLContext(1);
        var (emb, labels, view) = Data(ml, 200, 1);

        var m = ml.Siamese().Evaluate(view, options: new() { KnnK = 3 });

        var expected = RetrievalEvaluator.EvaluateLeaveOneOut(emb, Dim, labels, new() { KnnK = 3 });
        Assert.Equal(expected.MapAtR, m.Retrieval.MapAtR, 12);
        Assert.Equal(expected.PrecisionAt1, m.Retrieval.PrecisionAt1, 12);
        Assert.Equal(expected.KnnAccuracy, m.Retrieval.KnnAccuracy, 12);
        Assert.Equal(expected.RecallAtK[10], m.Retrieval.RecallAtK[10], 12);
        Assert.Equal(expected.PerClassPrecisionAt1.Values.Order(), m.Retrieval.PerClassPrecisionAt1.Values.Order());
        Assert.All(m.Retrieval.PerClassPrecisionAt1.Keys, k => Assert.StartsWith("c", k));

        var pairs = PairSampler.CreateScored(emb.AsSpan(), Dim, labels);
        var expectedPairs = PairEvaluator.Evaluate(pairs.Scores, pairs.IsPositive);
        Assert.NotNull(m.Pairs);
        Assert.Equal(PairSampling.Balanced, m.Pairs!.Protocol);   // the default, whatever the size
        Assert.Equal(0, m.Pairs.Seed);
        Assert.Equal((10_000L, 10_000L), (m.Pairs.PositivePairCount, m.Pairs.NegativePairCount));
        Assert.Equal(expectedPairs.RocAuc, m.Pairs.RocAuc, 9);
        Assert.Equal(expectedPairs.EqualErrorRate, m.Pairs.EqualErrorRate, 9);
        Assert.InRange(m.Pairs.RocAuc, 0.6, 0.9999);
    }

    [Fact]
    public void KeyIntAndFloatLabelsGiveTheSameMetricsAsText()
    {
        var ml = new MLContext(1);
        var (emb, labels, view) = Data(ml, 120, 2);
        var text = ml.Siamese().Evaluate(view);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Key", "Label").Fit(view).Transform(view);
        var key = ml.Siamese().Evaluate(keyed, labelColumnName: "Key");
        Assert.Equal(text.Retrieval.MapAtR, key.Retrieval.MapAtR, 12);
        Assert.Equal(text.Retrieval.PerClassPrecisionAt1.OrderBy(p => p.Key), key.Retrieval.PerClassPrecisionAt1.OrderBy(p => p.Key));

        var numbers = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 120)
            .Select(i => new NumberRow { Label = labels[i], FloatLabel = labels[i] + 0.5f, Id = i, Embedding = TestData.Row(emb, Dim, i) }).ToList());
        Assert.Equal(text.Retrieval.MapAtR, ml.Siamese().Evaluate(numbers).Retrieval.MapAtR, 12);
        Assert.Equal(text.Retrieval.MapAtR, ml.Siamese().Evaluate(numbers, "FloatLabel").Retrieval.MapAtR, 12);
    }

    [Fact]
    public void QueryGalleryOverloadMatchesTheArrayEvaluator()
    {
        var ml = new MLContext(1);
        var (g, gl, gView) = Data(ml, 150, 3);
        var (q, ql, qView) = Data(ml, 40, 4);
        var m = ml.Siamese().Evaluate(qView, gView, options: new() { PairSampling = PairSampling.AllPairs });
        var expected = RetrievalEvaluator.EvaluateQueries(q, ql, g, gl, Dim);
        Assert.Equal(expected.MapAtR, m.Retrieval.MapAtR, 12);
        Assert.Equal(expected.RPrecision, m.Retrieval.RPrecision, 12);
        Assert.Equal(40 * 150, m.Pairs!.PositivePairCount + m.Pairs.NegativePairCount);
        Assert.Equal(Enumerable.Range(0, 40).Sum(i => gl.Count(c => c == ql[i])), m.Pairs.PositivePairCount);

        var sampled = ml.Siamese().Evaluate(qView, gView, options: new() { PairSampling = PairSampling.Balanced, BalancedPairCount = 300 });
        Assert.Equal(300, sampled.Pairs!.PositivePairCount);
        Assert.Equal(300, sampled.Pairs.NegativePairCount);
        Assert.InRange(sampled.Pairs.RocAuc, m.Pairs.RocAuc - 0.1, m.Pairs.RocAuc + 0.1);
    }

    [Fact]
    public void CalibrationFromDataAndFromScoredPairs()
    {
        var ml = new MLContext(1);
        var (emb, labels, view) = Data(ml, 150, 5);
        var options = new CalibrationOptions { Objective = CalibrationObjective.MinimumPrecision, TargetPrecision = 0.8 };
        var fromView = ml.Siamese().CalibrateThreshold(view, options: options);
        Assert.Equal(ThresholdCalibrator.Calibrate(emb, Dim, labels, options), fromView);
        Assert.True(fromView.Precision >= 0.8);

        var pairs = PairSampler.CreateScored(emb, Dim, labels);
        var pairView = ml.Data.LoadFromEnumerable(pairs.Scores.Select((s, i) => new PairRow { Similarity = s, Label = pairs.IsPositive[i] }).ToList());
        Assert.Equal(fromView, ml.Siamese().CalibrateThresholdFromPairs(pairView, options: options));
        Assert.Equal("matchColumnName", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Siamese().CalibrateThresholdFromPairs(pairView, matchColumnName: "Similarity")).ParamName);
    }

    [Fact]
    public void BuildIndexReadsIdsAndEmbeddings()
    {
        var ml = new MLContext(1);
        var (emb, labels) = TestData.Clustered(5000, Dim, 4, 1f, 6); // more rows than one add batch
        var view = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 5000)
            .Select(i => new NumberRow { Label = labels[i], Id = 10_000 + i, Embedding = TestData.Row(emb, Dim, i) }).ToList());
        var index = ml.Siamese().BuildIndex(view);
        Assert.Equal(5000, index.Count);
        var direct = new CosineIndex(Dim);
        direct.Add(Enumerable.Range(10_000, 5000).Select(i => (long)i).ToArray(), emb);
        var queries = TestData.Gaussian(5, Dim, 7);
        Assert.Equal(direct.SearchBatch(queries, 5), index.SearchBatch(queries, 5));
        Assert.Equal(10_042, index.Search(TestData.Row(emb, Dim, 42), 1)[0].Id);

        Assert.Equal("idColumnName", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Siamese().BuildIndex(view, "Nope")).ParamName);
        Assert.Equal("idColumnName", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Siamese().BuildIndex(view, "FloatLabel")).ParamName);
        var dup = ml.Data.LoadFromEnumerable(new[] { new NumberRow { Id = 1, Embedding = new float[Dim] { 1, 0, 0, 0, 0, 0, 0, 0 } },
                                                     new NumberRow { Id = 1, Embedding = new float[Dim] { 0, 1, 0, 0, 0, 0, 0, 0 } } });
        Assert.Contains("repeats id 1", Assert.Throws<InvalidOperationException>(() => ml.Siamese().BuildIndex(dup)).Message);
    }

    [Fact]
    public void BadInputNamesTheColumn()
    {
        var ml = new MLContext(1);
        var (emb, _, view) = Data(ml, 20, 8);
        var s = ml.Siamese();
        var missingEmb = Assert.Throws<ArgumentOutOfRangeException>(() => s.Evaluate(view, embeddingColumnName: "Features"));
        Assert.Equal("embeddingColumnName", missingEmb.ParamName);
        Assert.Contains("'Features'", missingEmb.Message);
        var missingLabel = Assert.Throws<ArgumentOutOfRangeException>(() => s.Evaluate(view, labelColumnName: "Class"));
        Assert.Equal("labelColumnName", missingLabel.ParamName);
        Assert.Contains("'Class'", missingLabel.Message);
        Assert.Contains("Single", Assert.Throws<ArgumentOutOfRangeException>(() => s.Evaluate(view, embeddingColumnName: "Label")).Message);

        var variable = ml.Data.LoadFromEnumerable(new[] { new VariableRow { Label = "a", Embedding = [1, 2] }, new VariableRow { Label = "a", Embedding = [1, 2] } });
        Assert.Contains("known (fixed) size", Assert.Throws<ArgumentOutOfRangeException>(() => s.Evaluate(variable)).Message);

        var one = ml.Data.TakeRows(view, 1);
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => s.Evaluate(one)).Message);

        var nanRows = Enumerable.Range(0, 4).Select(i => new Row { Label = "a" + i % 2, Embedding = TestData.Row(emb, Dim, i) }).ToList();
        nanRows[3].Embedding[2] = float.NaN;
        var nan = Assert.Throws<ArgumentException>(() => s.Evaluate(ml.Data.LoadFromEnumerable(nanRows)));
        Assert.Equal("Embedding", nan.ParamName);
        Assert.Contains("row 3", nan.Message);

        var (q, _, qView) = Data(ml, 5, 9);
        var wide = ml.Transforms.Concatenate("Embedding", "Embedding", "Embedding").Fit(qView).Transform(qView);
        Assert.Contains("size 16", Assert.Throws<ArgumentException>(() => s.Evaluate(wide, view)).Message);
    }

    [Fact]
    public void TenThousandBy64EvaluatesEveryQueryOnTheDefaultPairProtocol()
    {
        const int n = 10_000, dim = 64;
        var (emb, labels) = TestData.Clustered(n, dim, 10, 3f, 10);
        var sw = Stopwatch.StartNew();
        var m = RetrievalEvaluator.EvaluateLeaveOneOut(emb, dim, labels);
        var retrievalTime = sw.Elapsed;
        sw.Restart();
        var pairs = PairSampler.CreateScored(emb, dim, labels);
        var pm = PairEvaluator.Evaluate(pairs.Scores, pairs.IsPositive);
        output.WriteLine($"10k x 64: retrieval (all pairs, leave-one-out) {retrievalTime.TotalSeconds:0.00} s, " +
                         $"balanced pairs {sw.Elapsed.TotalSeconds:0.00} s on {Environment.ProcessorCount} cores; " +
                         $"P@1 {m.PrecisionAt1:0.000} MAP@R {m.MapAtR:0.000} AUC {pm.RocAuc:0.000}");
        Assert.Equal(n, m.EvaluatedQueryCount);
        Assert.InRange(m.MapAtR, 0.01, 0.99);
        Assert.Equal(PairSampling.Balanced, pairs.Protocol);
    }
}
