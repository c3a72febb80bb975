using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using MlNetSiamese.Postgres.Tests.Support;
using MlNetSiamese.Postgres.VectorData;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Postgres.Tests.VectorData;

/// <summary>The store through Microsoft.Extensions.VectorData's <see cref="VectorStoreCollection{TKey, TRecord}"/>,
/// used only through the abstract type; searches checked against the in-process exact index.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresEmbeddingCollectionTests(PostgresFixture fixture, ITestOutputHelper output)
{
    private const int Count = 300, Dimension = 16;

    [Fact]
    public async Task The_abstraction_upserts_gets_searches_deletes_and_drops()
    {
        if (!fixture.Server.Require(output)) return;
        await using var store = await PostgresEmbeddingStore.OpenAsync(new PostgresStoreOptions
        {
            ConnectionString = fixture.Server.ConnectionString, Table = "collection", Dimension = Dimension, ModelId = RandomVectors.ModelId('d'),
        });
        using VectorStoreCollection<string, StoredEmbedding> collection = new PostgresEmbeddingCollection(store);
        Assert.Equal("collection", collection.Name);
        Assert.True(await collection.CollectionExistsAsync());

        var vectors = RandomVectors.Unit(Count, Dimension, seed: 11);
        await collection.UpsertAsync(RandomVectors.Items(vectors));
        await collection.UpsertAsync(RandomVectors.Items(vectors));   // again: still Count rows
        Assert.Equal(Count, await store.CountAsync());

        var got = await collection.GetAsync(RandomVectors.Id(5));
        Assert.NotNull(got);
        Assert.Empty(got.Vector);
        Assert.Equal("class5", got.Label);
        Assert.Equal(vectors[5], (await collection.GetAsync(RandomVectors.Id(5), new RecordRetrievalOptions { IncludeVectors = true }))!.Vector);
        Assert.Null(await collection.GetAsync("missing"));
        Assert.Equal(2, await collection.GetAsync([RandomVectors.Id(1), RandomVectors.Id(2), "missing"]).CountAsync());

        // No HNSW index here: the search is exact, so it must equal CosineIndex's.
        var exact = new CosineIndex(Dimension);
        exact.Add(Enumerable.Range(0, Count).Select(i => (long)i).ToArray(), vectors.SelectMany(v => v).ToArray());
        var query = RandomVectors.Unit(1, Dimension, seed: 12)[0];
        var expected = exact.Search(query, 5);
        var top5 = await collection.SearchAsync(query, 5).ToListAsync();
        Assert.Equal(expected.Select(n => RandomVectors.Id((int)n.Id)), top5.Select(r => r.Record.Id));
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i].Score, top5[i].Score!.Value, 1e-5);
        var skipped = await collection.SearchAsync(new Embedding<float>(query), 3, new VectorSearchOptions<StoredEmbedding> { Skip = 2, IncludeVectors = true }).ToListAsync();
        Assert.Equal(top5.Skip(2).Select(r => r.Record.Id), skipped.Select(r => r.Record.Id));
        Assert.Equal(vectors[TenThousandItems.Row(skipped[0].Record.Id)], skipped[0].Record.Vector);
        var above = await collection.SearchAsync((ReadOnlyMemory<float>)query, 5, new VectorSearchOptions<StoredEmbedding> { ScoreThreshold = top5[2].Score }).ToListAsync();
        Assert.Equal(top5.Take(3).Select(r => r.Record.Id), above.Select(r => r.Record.Id));

        await Assert.ThrowsAsync<NotSupportedException>(async () => await collection.SearchAsync("text", 5).ToListAsync());
        await Assert.ThrowsAsync<NotSupportedException>(async () =>
            await collection.SearchAsync(query, 5, new VectorSearchOptions<StoredEmbedding> { Filter = r => r.Label == "class1" }).ToListAsync());
        Assert.Throws<NotSupportedException>(() => collection.GetAsync(r => r.Label == "class1", 5));

        await collection.DeleteAsync(RandomVectors.Id(5));
        await collection.DeleteAsync([RandomVectors.Id(6), RandomVectors.Id(7)]);
        Assert.Null(await collection.GetAsync(RandomVectors.Id(5)));
        Assert.Equal(Count - 3, await store.CountAsync());
        Assert.Same(store, collection.GetService(typeof(PostgresEmbeddingStore)));

        await collection.EnsureCollectionDeletedAsync();
        Assert.False(await collection.CollectionExistsAsync());
        await collection.EnsureCollectionExistsAsync();
        Assert.True(await collection.CollectionExistsAsync());
        Assert.Equal(0, await store.CountAsync());
    }
}
