using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Tests.Support;
using Xunit;

namespace MlNetSiamese.Tests.Search;

public class NeighborSearchTransformerTests
{
    private sealed class Item
    {
        public long Id { get; set; }
        [VectorType(6)] public float[] Embedding { get; set; } = Array.Empty<float>();
    }

    private static List<Item> Items(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(i => new Item { Id = 100 + i, Embedding = Enumerable.Range(0, 6).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray() }).ToList();
    }

    [Fact]
    public void NeighborColumnsEqualBruteForceAndSurviveSaveLoad()
    {
        var ml = new MLContext(1);
        var gallery = Items(50, 1);
        var queries = Items(12, 2);
        var index = ml.Siamese().BuildIndex(ml.Data.LoadFromEnumerable(gallery), "Id", "Embedding");
        var search = ml.Siamese().SearchNeighbors(index, "Embedding", k: 5);
        var data = ml.Data.LoadFromEnumerable(queries);
        var output = search.Transform(data);

        var ids = output.GetColumn<long[]>("NeighborIds").ToArray();
        var scores = output.GetColumn<float[]>("NeighborScores").ToArray();
        for (int q = 0; q < queries.Count; q++)
        {
            var expected = gallery.Select(g => (g.Id, Score: Synthetic.Cosine(queries[q].Embedding, g.Embedding)))
                .OrderByDescending(t => t.Score).ThenBy(t => t.Id).Take(5).ToArray();
            Assert.Equal(expected.Select(t => t.Id), ids[q]);
            for (int i = 0; i < 5; i++) Assert.True(Math.Abs(expected[i].Score - scores[q][i]) < 1e-5);
        }

        string path = Path.Combine(Models.TempDir(), "search.zip");
        ml.Model.Save(search, data.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        Assert.Equal(ids, loaded.Transform(data).GetColumn<long[]>("NeighborIds").ToArray());

        var engine = ml.Model.CreatePredictionEngine<Item, Result>(loaded);
        Assert.Equal(ids[3], engine.Predict(queries[3]).NeighborIds);
    }

    [Fact]
    public void WrongDimensionAndBadKAreNamed()
    {
        var ml = new MLContext(1);
        var index = new CosineIndex(4);
        var data = ml.Data.LoadFromEnumerable(Items(3, 1));
        Assert.Contains("'Embedding'", Assert.ThrowsAny<ArgumentException>(() => ml.Siamese().SearchNeighbors(index, "Embedding").Transform(data)).Message);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ml.Siamese().SearchNeighbors(index, "Embedding", k: 0));
    }

    private sealed class Result { public long[] NeighborIds { get; set; } = Array.Empty<long>(); }
}
