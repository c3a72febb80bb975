using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Tests.Support;
using Xunit;

namespace MlNetSiamese.Tests.Pipeline;

/// <summary>
/// The row-at-a-time path (PredictionEngine, as a pooled service uses it) of every transformer: an input vector of the
/// wrong length or with NaN or infinity is refused with the column, the expected and the actual size (or the bad
/// value) named, never filled out with the previous call's values; the engine still answers correctly afterwards.
/// </summary>
public class RowPathInputTests
{
    private static readonly MLContext Ml = new(1);
    private const int Dim = 4;

    public sealed class Features { [VectorType(12)] public float[] Values { get; set; } = []; }
    public sealed class Embedded { [VectorType(8)] public float[] Embedding { get; set; } = []; }
    public sealed class Pair { [VectorType(Dim)] public float[] A { get; set; } = []; [VectorType(Dim)] public float[] B { get; set; } = []; }
    public sealed class Scored { public float Similarity { get; set; } }
    public sealed class Query { [VectorType(Dim)] public float[] Embedding { get; set; } = []; }
    public sealed class Found { [VectorType(2)] public long[] NeighborIds { get; set; } = []; }

    private static float[] Vector(int length, int seed) { var r = new Random(seed); return Enumerable.Range(0, length).Select(_ => (float)r.NextDouble() + 0.1f).ToArray(); }

    /// <summary>Each bad input in turn after a good call, each refused with a message holding <paramref name="column"/> and the given parts.</summary>
    private static void RefusesBadVectors(Func<float[], object?> predict, string column, int size)
    {
        var good = Vector(size, 1);
        var first = predict(good);
        foreach (var (bad, parts) in new (float[], string[])[]
        {
            (Vector(size - 1, 2), [$"{size} values", $"got {size - 1}"]),                  // shorter: would be filled out with the last call's values
            (Vector(size + 1, 3), [$"{size} values", $"got {size + 1}"]),
            (Vector(size, 4).Select((v, i) => i == 2 ? float.NaN : v).ToArray(), ["value 2", "NaN"]),
            (Vector(size, 5).Select((v, i) => i == 1 ? float.PositiveInfinity : v).ToArray(), ["value 1", "Infinity"]),
        })
        {
            var e = Assert.ThrowsAny<Exception>(() => predict(bad));
            var message = e.InnerException?.Message is { } inner ? e.Message + " " + inner : e.Message;
            Assert.Contains($"'{column}'", message);
            foreach (var part in parts) Assert.Contains(part, message);
        }
        Assert.Equivalent(first, predict(good));   // the engine is still good
    }

    [Fact]
    public void TheEmbeddingEngineRefusesBadVectors()
    {
        var (_, _, model) = Models.TrainVectorPipeline();
        var embed = ((IEnumerable<ITransformer>)model).OfType<SiameseEmbeddingTransformer>().Single()
            .WithColumns(new InputOutputColumnPair("Embedding", "Values"));
        var engine = Ml.Model.CreatePredictionEngine<Features, Embedded>(embed);
        RefusesBadVectors(v => engine.Predict(new Features { Values = v }).Embedding, "Values", 12);
    }

    [Fact]
    public void TheSimilarityEngineRefusesBadVectorsOnEitherSide()
    {
        var pairs = Ml.Data.LoadFromEnumerable(new[] { new Pair { A = Vector(Dim, 1), B = Vector(Dim, 2) } });
        var scorer = Ml.Transforms.CosineSimilarity("Similarity", "A", "B").Fit(pairs);
        var engine = Ml.Model.CreatePredictionEngine<Pair, Scored>(scorer);
        var other = Vector(Dim, 9);
        RefusesBadVectors(v => engine.Predict(new Pair { A = v, B = other }).Similarity, "A", Dim);
        RefusesBadVectors(v => engine.Predict(new Pair { A = other, B = v }).Similarity, "B", Dim);
    }

    [Fact]
    public void TheNeighbourSearchEngineRefusesBadVectors()
    {
        var index = new CosineIndex(Dim);
        index.Add([1, 2, 3], Vector(3 * Dim, 7));
        var search = Ml.Siamese().SearchNeighbors(index, k: 2);
        var engine = Ml.Model.CreatePredictionEngine<Query, Found>(search);
        RefusesBadVectors(v => engine.Predict(new Query { Embedding = v }).NeighborIds, "Embedding", Dim);
    }
}
