using System.Diagnostics;
using MlNetSiamese.Postgres.Tests.Support;
using Npgsql;
using Pgvector;
using Pgvector.Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Postgres.Tests;

/// <summary>
/// 10,000 embeddings in a real PostgreSQL with pgvector, checked against the in-process exact index
/// (<see cref="CosineIndex"/>), which shares no code with the store: the exact top-10, HNSW recall@10, idempotent upserts.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TenThousandItemTests(PostgresFixture fixture, TenThousandItems data, ITestOutputHelper output) : IClassFixture<TenThousandItems>
{
    private const int K = 10;
    private const float ScoreTolerance = 1e-5f;   // pgvector computes cosine in single precision with another summation order
    private readonly PostgresServer _server = fixture.Server;

    [Fact]
    public async Task Ten_thousand_embeddings_go_in_once()
    {
        if (!_server.Require(output)) return;
        await using var store = await data.OpenAsync(_server);
        output.WriteLine($"4 upserts of {TenThousandItems.Batch}: {data.LoadTime.TotalMilliseconds:F0} ms");
        Assert.Equal(TenThousandItems.Count, data.WrittenByFirstLoad);
        Assert.Equal(TenThousandItems.Count, await store.CountAsync());
        var back = await store.GetAsync(["item-00042", "no-such-id"]);
        var item = Assert.Single(back);
        Assert.Equal(data.Vectors[42], item.Vector);
        Assert.Equal("class0", item.Label);
        Assert.Equal("{\"n\": 42}", item.Metadata);
    }

    [Fact]
    public async Task The_exact_top_10_equals_the_in_process_exact_index()
    {
        if (!_server.Require(output)) return;
        await using var store = await data.OpenAsync(_server);
        await store.CreateIndexAsync();   // exact: true must rank every row even with the index there
        var queries = RandomVectors.Unit(50, TenThousandItems.Dimension, seed: 99);
        foreach (var q in queries)
            AssertSameTopK(data.Exact.Search(q, K), await store.SearchAsync(q, K, exact: true), q);
        for (int row = 0; row < 10_000; row += 1_000)   // by stored id: the item itself is left out
        {
            var expected = data.Exact.Search(data.Vectors[row], K + 1).Where(n => n.Id != row).Take(K).ToArray();
            AssertSameTopK(expected, await store.SearchByIdAsync(RandomVectors.Id(row), K, exact: true), data.Vectors[row]);
        }
    }

    /// <summary>The same ids in the same order, with the same similarities; a swap is allowed only between items whose
    /// exact scores are within <see cref="ScoreTolerance"/> (a tie to single precision).</summary>
    private void AssertSameTopK(Neighbor[] expected, IReadOnlyList<StoreMatch> actual, float[] query)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int r = 0; r < expected.Length; r++)
        {
            Assert.True(Math.Abs(expected[r].Score - actual[r].Similarity) <= ScoreTolerance,
                $"rank {r + 1}: similarity {actual[r].Similarity} from the store, {expected[r].Score} from CosineIndex");
            int row = TenThousandItems.Row(actual[r].Id);
            if (row == expected[r].Id) continue;
            float exactScore = Dot(query, data.Vectors[row]);
            Assert.True(Math.Abs(exactScore - expected[r].Score) <= ScoreTolerance,
                $"rank {r + 1}: the store returned {actual[r].Id} (cosine {exactScore}), CosineIndex item {expected[r].Id} ({expected[r].Score})");
        }
        Assert.Equal(expected.Length, actual.Select(m => m.Id).Distinct().Count());
    }

    private static float Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return (float)s;
    }

    [Fact]
    public async Task Hnsw_recall_at_10_against_the_exact_index_is_at_least_0_95_at_the_default_ef_search()
    {
        if (!_server.Require(output)) return;
        await using var store = await data.OpenAsync(_server);
        var clock = Stopwatch.StartNew();
        await store.CreateIndexAsync();
        await store.CreateIndexAsync();   // idempotent
        output.WriteLine($"HNSW index (m 16, ef_construction 64) on 10,000 x 64: {clock.ElapsedMilliseconds} ms (or less: another test may have built it)");
        Assert.True(await store.HasIndexAsync());
        Assert.Contains("hnsw", await PlanAsync(data.Vectors[0]));   // the searches below go through the index, not a scan

        var queries = RandomVectors.Unit(200, TenThousandItems.Dimension, seed: 7);
        var truth = queries.Select(q => data.Exact.Search(q, K).Select(n => RandomVectors.Id((int)n.Id)).ToHashSet()).ToArray();
        var recallAt = new Dictionary<int, double>();
        foreach (int ef in new[] { 10, 40, 100, PostgresStoreOptions.DefaultEfSearch, 400 }.Distinct())
        {
            await using var s = await data.OpenAsync(_server, ef);
            double hits = 0;
            var latencies = new List<double>();
            foreach (var (q, i) in queries.Select((q, i) => (q, i)))
            {
                var t = Stopwatch.GetTimestamp();
                var found = await s.SearchAsync(q, K);
                latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                Assert.Equal(K, found.Count);
                hits += found.Count(m => truth[i].Contains(m.Id));
            }
            double recall = hits / (queries.Length * K);
            latencies.Sort();
            output.WriteLine($"ef_search {ef}: recall@10 {recall:F3}, latency p50 {latencies[latencies.Count / 2]:F2} ms, p95 {latencies[(int)(latencies.Count * 0.95)]:F2} ms");
            recallAt[ef] = recall;
        }
        Assert.True(recallAt[PostgresStoreOptions.DefaultEfSearch] >= 0.95, $"recall@10 {recallAt[PostgresStoreOptions.DefaultEfSearch]:F3} at ef_search {PostgresStoreOptions.DefaultEfSearch}");
        Assert.True(recallAt[10] < recallAt[400], "a wider HNSW search finds no more true neighbours: is the index used?");
    }

    private async Task<string> PlanAsync(float[] query)
    {
        var builder = new NpgsqlDataSourceBuilder(_server.ConnectionString);
        builder.UseVector();
        await using var source = builder.Build();
        await using var cmd = source.CreateCommand("EXPLAIN SELECT id FROM ten_thousand ORDER BY embedding <=> $1 LIMIT 10");
        cmd.Parameters.Add(new NpgsqlParameter { Value = new Vector(query) });
        var lines = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return string.Join("\n", lines);
    }

    [Fact]
    public async Task A_second_run_writes_nothing_and_a_changed_item_is_updated_in_place()
    {
        if (!_server.Require(output)) return;
        await using var store = await data.OpenAsync(_server);
        var items = RandomVectors.Items(data.Vectors);
        int written = 0;
        for (int from = 0; from < TenThousandItems.Count; from += TenThousandItems.Batch)
            written += await store.UpsertAsync(items.GetRange(from, TenThousandItems.Batch));
        Assert.Equal(0, written);
        Assert.Equal(TenThousandItems.Count, await store.CountAsync());

        var ids = Enumerable.Range(0, 100).Select(RandomVectors.Id).Append("not-stored").ToList();
        var existing = await store.ExistingIdsAsync(ids);
        Assert.Equal(ids.Take(100).ToHashSet(), existing.ToHashSet());

        var relabelled = items.Take(3).Select(i => i with { Label = "changed" }).ToList();
        Assert.Equal(3, await store.UpsertAsync(relabelled));
        Assert.Equal(TenThousandItems.Count, await store.CountAsync());
        Assert.All(await store.GetAsync(relabelled.Select(i => i.Id).ToList()), i => Assert.Equal("changed", i.Label));
        Assert.Equal(3, await store.UpsertAsync(items.Take(3).ToList()));   // back as loaded
    }
}
