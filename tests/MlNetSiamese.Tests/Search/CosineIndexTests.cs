using MlNetSiamese.Evaluation;
using Xunit;

namespace MlNetSiamese.Tests.Search;

public class CosineIndexTests
{
    private static Neighbor[] BruteForce(float[] data, long[] ids, int dim, float[] query, int k) =>
        Enumerable.Range(0, ids.Length)
            .Select(i => new Neighbor(ids[i], (float)EmbeddingMath.Cosine(query, TestData.Row(data, dim, i))))
            .OrderByDescending(n => n.Score).ThenBy(n => n.Id).Take(k).ToArray();

    private static void AssertSame(Neighbor[] expected, Neighbor[] actual)
    {
        Assert.Equal(expected.Select(n => n.Id), actual.Select(n => n.Id));
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i].Score, actual[i].Score, 1e-5f);
    }

    private static (CosineIndex Index, float[] Data, long[] Ids) Build(int n, int dim, int seed)
    {
        var data = TestData.Gaussian(n, dim, seed);
        var rng = new Random(seed);
        var ids = Enumerable.Range(0, n).Select(i => (long)i * 3 + rng.Next(3)).OrderBy(_ => rng.Next()).ToArray();
        var index = new CosineIndex(dim);
        index.Add(ids, data);
        return (index, data, ids);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(600)] // more than the index holds
    public void SearchMatchesBruteForce(int k)
    {
        const int dim = 16;
        var (index, data, ids) = Build(500, dim, 1);
        var queries = TestData.Gaussian(20, dim, 2);
        for (int q = 0; q < 20; q++)
        {
            var query = TestData.Row(queries, dim, q);
            AssertSame(BruteForce(data, ids, dim, query, k), index.Search(query, k));
        }
        Assert.Equal(Math.Min(k, 500), index.Search(TestData.Row(queries, dim, 0), k).Length);
    }

    [Fact]
    public void LargeIndexTakesTheParallelPathAndMatchesBruteForce()
    {
        const int dim = 8;
        Assert.True(CosineIndex.ChunksFor(40_000) > 1, "40,000 items should be scanned in parallel slices");
        Assert.Equal(1, CosineIndex.ChunksFor(1_000));
        var (index, data, ids) = Build(40_000, dim, 3);
        var queries = TestData.Gaussian(3, dim, 4);
        for (int q = 0; q < 3; q++)
        {
            var query = TestData.Row(queries, dim, q);
            AssertSame(BruteForce(data, ids, dim, query, 25), index.Search(query, 25));
        }
    }

    [Fact]
    public void BatchEqualsSingleSearches()
    {
        const int dim = 12;
        var (index, _, _) = Build(300, dim, 5);
        var queries = TestData.Gaussian(40, dim, 6);
        var batch = index.SearchBatch(queries, 9);
        var jagged = index.SearchBatch(Enumerable.Range(0, 40).Select(i => TestData.Row(queries, dim, i)).ToList(), 9);
        Assert.Equal(40, batch.Length);
        for (int q = 0; q < 40; q++)
        {
            Assert.Equal(index.Search(TestData.Row(queries, dim, q), 9), batch[q]);
            Assert.Equal(batch[q], jagged[q]);
        }
    }

    [Fact]
    public void TiesAreBrokenByLowerId()
    {
        var index = new CosineIndex(2);
        index.Add([30, 10, 20, 5], [1, 1, 2, 2, 3, 3, -1, 0]); // 30, 10, 20 are the same direction
        var result = index.Search([1, 1], 3);
        Assert.Equal(new long[] { 10, 20, 30 }, result.Select(n => n.Id));
        Assert.All(result, n => Assert.Equal(1f, n.Score, 1e-6f));
        Assert.Equal(new long[] { 10, 20 }, index.Search([5, 5], 2).Select(n => n.Id));
    }

    [Fact]
    public void AddAndRemoveChangeResults()
    {
        const int dim = 6;
        var (index, data, ids) = Build(100, dim, 7);
        var query = TestData.Row(data, dim, 10); // item ids[10] is its own nearest neighbour
        Assert.Equal(ids[10], index.Search(query, 1)[0].Id);

        Assert.True(index.Remove(ids[10]));
        Assert.False(index.Remove(ids[10]));
        Assert.False(index.Contains(ids[10]));
        Assert.Equal(99, index.Count);
        var keep = Enumerable.Range(0, 100).Where(i => i != 10).ToArray();
        var keptData = keep.SelectMany(i => TestData.Row(data, dim, i)).ToArray();
        AssertSame(BruteForce(keptData, keep.Select(i => ids[i]).ToArray(), dim, query, 10), index.Search(query, 10));

        index.Add(-1, query.Select(v => v * 2).ToArray());
        var top = index.Search(query, 1)[0];
        Assert.Equal(-1, top.Id);
        Assert.Equal(1f, top.Score, 1e-5f);
    }

    [Fact]
    public void DuplicateOrBadAddLeavesIndexUnchanged()
    {
        var index = new CosineIndex(2);
        index.Add([1, 2], [1, 0, 0, 1]);
        Assert.Equal("ids", Assert.Throws<ArgumentException>(() => index.Add([3, 1], [1, 1, 2, 2])).ParamName);
        Assert.Equal("ids", Assert.Throws<ArgumentException>(() => index.Add([4, 4], [1, 1, 2, 2])).ParamName);
        Assert.Equal("vectors", Assert.Throws<ArgumentException>(() => index.Add([5], [0, 0])).ParamName);
        Assert.Equal("vectors", Assert.Throws<ArgumentException>(() => index.Add([5], [float.NaN, 1])).ParamName);
        Assert.Equal("vectors", Assert.Throws<ArgumentException>(() => index.Add([5, 6], [1, 1, 1])).ParamName);
        Assert.Equal(2, index.Count);
        Assert.False(index.Contains(3));
    }

    [Fact]
    public void BadQueriesNameTheArgument()
    {
        var (index, _, _) = Build(10, 4, 8);
        Assert.Equal("query", Assert.Throws<ArgumentException>(() => index.Search([1, 2, 3], 1)).ParamName);
        Assert.Equal("query", Assert.Throws<ArgumentException>(() => index.Search([1, 2, float.NaN, 4], 1)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([1, 2, 3, 4], 0)).ParamName);
        Assert.Equal("queries", Assert.Throws<ArgumentException>(() => index.SearchBatch(new float[7], 1)).ParamName);
        Assert.Equal("queries", Assert.Throws<ArgumentException>(() => index.SearchBatch(new[] { new float[3] }, 1)).ParamName);
        Assert.Equal("dimension", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineIndex(0)).ParamName);
        Assert.Empty(new CosineIndex(3).Search([1, 0, 0], 5));
    }
}
