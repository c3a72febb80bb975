using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlNetSiamese.Postgres;
using MlNetSiamese.Postgres.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Service.Tests;

/// <summary>/search against a throw-away PostgreSQL with pgvector, filled as 'mlnet-siamese index --store' fills it.</summary>
public sealed class SearchTests(TinyModels m, PostgresFixture pg, ITestOutputHelper output) : IClassFixture<TinyModels>, IClassFixture<PostgresFixture>
{
    /// <summary>30 items (10 per class) embedded by model A, stored under ids item0..item29 with their class as label.</summary>
    private async Task<(string Table, List<float[]> Pixels, float[][] Embeddings)> FillAsync()
    {
        var pixels = Enumerable.Range(0, 30).Select(i => TinyModels.Pixels(i % 3, new Random(500 + i))).ToList();
        var embeddings = TinyModels.Reference(m.ModelA, pixels);
        string table = "svc_" + Guid.NewGuid().ToString("N")[..8];
        await using var store = await PostgresEmbeddingStore.OpenAsync(new PostgresStoreOptions
        {
            ConnectionString = pg.Server.ConnectionString, Table = table, Dimension = 8, ModelId = TinyModels.Sha256(m.ModelA),
        });
        await store.UpsertAsync(embeddings.Select((e, i) => new StoredEmbedding($"item{i}", e, $"c{i % 3}", $"{{\"n\": {i}}}")).ToList());
        return (table, pixels, embeddings);
    }

    [Fact]
    public async Task Search_gives_the_stored_items_by_cosine_similarity()
    {
        if (!pg.Server.Require(output)) return;
        var (table, pixels, embeddings) = await FillAsync();
        using var app = new ServiceApp(m.ServingFolder(m.ModelA),
            ("Similarity:StoreConnectionString", pg.Server.ConnectionString), ("Similarity:StoreTable", table));

        var response = await app.Client.PostAsJsonAsync("/search?k=5", new { pixels = pixels[7] });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(TinyModels.Sha256(m.ModelA), body.GetProperty("modelId").GetString());
        Assert.EndsWith("/" + table, body.GetProperty("store").GetString());
        var matches = body.GetProperty("matches").EnumerateArray().ToList();
        Assert.Equal(5, matches.Count);
        Assert.Equal("item7", matches[0].GetProperty("id").GetString());   // the query's own stored embedding
        Assert.Equal("c1", matches[0].GetProperty("label").GetString());

        // The exact top 5 by a float64 cosine over the same embeddings (distinct similarities, so the order is defined).
        static double Cos(float[] a, float[] b)
        {
            double d = 0, na = 0, nb = 0;
            for (int i = 0; i < a.Length; i++) { d += (double)a[i] * b[i]; na += (double)a[i] * a[i]; nb += (double)b[i] * b[i]; }
            return d / Math.Sqrt(na * nb);
        }
        var expected = embeddings.Select((e, i) => (Id: $"item{i}", Sim: Cos(embeddings[7], e))).OrderByDescending(x => x.Sim).Take(5).ToList();
        Assert.Equal(expected.Select(x => x.Id), matches.Select(x => x.GetProperty("id").GetString()));
        foreach (var (e, got) in expected.Zip(matches))
            Assert.True(Math.Abs(e.Sim - got.GetProperty("similarity").GetDouble()) <= 1e-5, $"{e.Id}: {got} vs {e.Sim}");

        var health = await app.HealthAsync();
        var store = health.GetProperty("store");
        Assert.True(store.GetProperty("reachable").GetBoolean());
        Assert.True(store.GetProperty("matchesModel").GetBoolean());
        Assert.Equal(30, store.GetProperty("count").GetInt64());
        Assert.Equal("ok", health.GetProperty("status").GetString());

        // A multipart upload with k as a form field.
        using var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(m.Pngs[0])), "image", "q.png" }, { new StringContent("3"), "k" } };
        response = await app.Client.PostAsync("/search", form);
        body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(3, body.GetProperty("matches").GetArrayLength());
    }

    [Fact]
    public async Task A_reloaded_model_of_another_id_gets_409_on_search_and_one_of_another_dimension_is_not_served()
    {
        if (!pg.Server.Require(output)) return;
        var (table, pixels, _) = await FillAsync();
        using var app = new ServiceApp(m.ServingFolder(m.ModelA),
            ("Similarity:StoreConnectionString", pg.Server.ConnectionString), ("Similarity:StoreTable", table));
        Assert.Equal(HttpStatusCode.OK, (await app.Client.PostAsJsonAsync("/search", new { pixels = pixels[0] })).StatusCode);

        string a = TinyModels.Sha256(m.ModelA), b = TinyModels.Sha256(m.ModelB);
        File.Copy(m.ModelB, app.ModelPath + ".tmp");
        File.Move(app.ModelPath + ".tmp", app.ModelPath, overwrite: true);
        Assert.True(await app.WaitForAsync(h => h.GetProperty("model").GetProperty("id").GetString() == b), "model B was not picked up");

        // /embed serves the new model; /search refuses, naming the store and both ids.
        var embed = await app.Client.PostAsJsonAsync("/embed", new { pixels = pixels[0] });
        Assert.Equal(b, (await embed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("modelId").GetString());
        var search = await app.Client.PostAsJsonAsync("/search", new { pixels = pixels[0] });
        string text = await search.Content.ReadAsStringAsync();
        Assert.True(search.StatusCode == HttpStatusCode.Conflict, text);
        Assert.Contains(table, text);
        Assert.Contains(a, text);
        Assert.Contains(b, text);
        var health = await app.HealthAsync();
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.False(health.GetProperty("store").GetProperty("matchesModel").GetBoolean());

        // A 12-dimensional model does not fit the store's 8-dimensional embeddings: model B stays.
        File.Copy(m.Model12, app.ModelPath, overwrite: true);
        Assert.True(await app.WaitForAsync(h => h.GetProperty("reload").GetProperty("lastError").ValueKind == JsonValueKind.String), "no reload error");
        health = await app.HealthAsync();
        Assert.Equal(b, health.GetProperty("model").GetProperty("id").GetString());
        string error = health.GetProperty("reload").GetProperty("lastError").GetString()!;
        Assert.Contains("12-dimensional", error);
        Assert.Contains("8-dimensional", error);
    }

    [Fact]
    public async Task An_unreachable_store_gives_503_and_embed_still_works()
    {
        int port = PostgresServer.FreePort();
        using var app = new ServiceApp(m.ServingFolder(m.ModelA),
            ("Similarity:StoreConnectionString", $"Host=127.0.0.1;Port={port};Database=postgres;Username=postgres;Timeout=2"));
        var search = await app.Client.PostAsJsonAsync("/search", new { pixels = TinyModels.Pixels(0, new Random(1)) });
        string text = await search.Content.ReadAsStringAsync();
        Assert.True(search.StatusCode == HttpStatusCode.ServiceUnavailable, text);
        Assert.Contains($"127.0.0.1:{port}/postgres/siamese_embeddings", text);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.PostAsJsonAsync("/embed", new { pixels = TinyModels.Pixels(0, new Random(1)) })).StatusCode);
        var health = await app.HealthAsync();
        Assert.False(health.GetProperty("store").GetProperty("reachable").GetBoolean());
        Assert.Equal("degraded", health.GetProperty("status").GetString());
    }
}
