using MlNetSiamese.Postgres.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Postgres.Tests;

/// <summary>Every way a store can be used wrongly gives an error that names the store (or the option) and both values.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StoreErrorTests(PostgresFixture fixture, ITestOutputHelper output)
{
    private readonly PostgresServer _server = fixture.Server;
    private static readonly string ModelA = RandomVectors.ModelId('a'), ModelB = RandomVectors.ModelId('b');

    private PostgresStoreOptions Options(string table, int dimension = 8, string? model = null, string? connection = null) => new()
    {
        ConnectionString = connection ?? _server.ConnectionString + ";Password=s3cret-word", Table = table, Dimension = dimension, ModelId = model ?? ModelA,
    };

    private static string StoreName(PostgresServer server, string table) => $"127.0.0.1:{server.Port}/postgres/{table}";

    [Fact]
    public async Task Another_dimension_is_refused_naming_the_store_and_both_dimensions()
    {
        if (!_server.Require(output)) return;
        await using (var store = await PostgresEmbeddingStore.OpenAsync(Options("dims", 8)))
            Assert.Equal(StoreName(_server, "dims"), store.Name);
        var e = await Assert.ThrowsAsync<PostgresStoreException>(() => PostgresEmbeddingStore.OpenAsync(Options("dims", 16)));
        output.WriteLine(e.Message);
        Assert.Contains(StoreName(_server, "dims"), e.Message);
        Assert.Contains("8-dimensional", e.Message);
        Assert.Contains("16", e.Message);
        Assert.DoesNotContain("s3cret", e.Message);
    }

    [Fact]
    public async Task Another_model_is_refused_naming_the_store_and_both_model_ids()
    {
        if (!_server.Require(output)) return;
        await using (await PostgresEmbeddingStore.OpenAsync(Options("models", model: ModelA))) { }
        await using (await PostgresEmbeddingStore.OpenAsync(Options("models", model: ModelA.ToUpperInvariant()))) { }   // the same id in capitals
        var e = await Assert.ThrowsAsync<PostgresStoreException>(() => PostgresEmbeddingStore.OpenAsync(Options("models", model: ModelB)));
        output.WriteLine(e.Message);
        Assert.Contains(StoreName(_server, "models"), e.Message);
        Assert.Contains(ModelA, e.Message);
        Assert.Contains(ModelB, e.Message);
        Assert.DoesNotContain("s3cret", e.Message);
    }

    [Fact]
    public async Task A_vector_of_another_dimension_is_refused_naming_the_item()
    {
        if (!_server.Require(output)) return;
        await using var store = await PostgresEmbeddingStore.OpenAsync(Options("item_dims", 8));
        var good = RandomVectors.Unit(2, 8, seed: 3);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync([new("a", good[0]), new("b", new float[5] { 1, 0, 0, 0, 0 })]));
        Assert.Contains("'b'", e.Message);
        Assert.Contains("5 values", e.Message);
        Assert.Equal(0, await store.CountAsync());   // nothing of the batch was written
        var q = await Assert.ThrowsAsync<ArgumentException>(() => store.SearchAsync(new float[3] { 1, 0, 0 }, 5));
        Assert.Contains("3 values", q.Message);
        var dup = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync([new("a", good[0]), new("a", good[1])]));
        Assert.Contains("'a' occurs twice", dup.Message);
        var json = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync([new("a", good[0], Metadata: "{not json")]));
        Assert.Contains("Metadata is not JSON", json.Message);
        var zero = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync([new("z", new float[8])]));
        Assert.Contains("all zeros", zero.Message);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.SearchByIdAsync("missing", 3));
    }

    [Fact]
    public async Task Bad_options_are_refused_naming_the_option()
    {
        var bad = new (PostgresStoreOptions Options, string Named)[]
        {
            (new() { ConnectionString = "", Dimension = 8, ModelId = ModelA }, "ConnectionString"),
            (new() { ConnectionString = "Host=x;Nonsense=1", Dimension = 8, ModelId = ModelA }, "ConnectionString"),
            (new() { ConnectionString = "Host=x", Table = "Drop Table", Dimension = 8, ModelId = ModelA }, "Table"),
            (new() { ConnectionString = "Host=x", Dimension = 0, ModelId = ModelA }, "Dimension"),
            (new() { ConnectionString = "Host=x", Dimension = 8, ModelId = "abc" }, "ModelId"),
            (new() { ConnectionString = "Host=x", Dimension = 8, ModelId = ModelA, EfSearch = 0 }, "EfSearch"),
        };
        foreach (var (options, named) in bad)
        {
            var e = await Assert.ThrowsAsync<ArgumentException>(() => PostgresEmbeddingStore.OpenAsync(options));
            Assert.Contains("PostgresStoreOptions." + named, e.Message);
        }
    }

    [Fact]
    public async Task A_missing_table_is_an_error_without_create()
    {
        if (!_server.Require(output)) return;
        var e = await Assert.ThrowsAsync<PostgresStoreException>(() => PostgresEmbeddingStore.OpenAsync(Options("never_made"), create: false));
        Assert.Contains(StoreName(_server, "never_made"), e.Message);
        Assert.Contains("mlnet-siamese index", e.Message);
    }

    [Fact]
    public async Task A_stopped_server_gives_an_error_naming_the_store()
    {
        if (!_server.Require(output)) return;
        // Nothing listens: opening fails.
        int port = PostgresServer.FreePort();
        var closed = Options("gone", connection: $"Host=127.0.0.1;Port={port};Database=shop;Username=app;Password=s3cret-word;Timeout=3");
        var e = await Assert.ThrowsAsync<PostgresStoreException>(() => PostgresEmbeddingStore.OpenAsync(closed));
        output.WriteLine(e.Message);
        Assert.Contains($"127.0.0.1:{port}/shop/gone", e.Message);
        Assert.Contains("pg_isready", e.Message);
        Assert.DoesNotContain("s3cret", e.Message);

        // A server that stops while a store is open: the next call fails the same way.
        await using var second = await PostgresServer.StartAsync();
        Assert.Null(second.Missing);
        await using var store = await PostgresEmbeddingStore.OpenAsync(new PostgresStoreOptions
        {
            ConnectionString = second.ConnectionString, Table = "stopping", Dimension = 8, ModelId = ModelA,
        });
        await store.UpsertAsync(RandomVectors.Items(RandomVectors.Unit(3, 8, seed: 5)));
        await second.StopAsync();
        var stopped = await Assert.ThrowsAsync<PostgresStoreException>(() => store.SearchAsync(RandomVectors.Unit(1, 8, seed: 6)[0], 3));
        output.WriteLine(stopped.Message);
        Assert.Contains(StoreName(second, "stopping"), stopped.Message);
        Assert.Contains("pg_isready", stopped.Message);
    }
}
