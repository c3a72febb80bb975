using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace MlNetSiamese.Service.Tests;

/// <summary>The watcher notices a new model.zip however it is written, and never serves a broken one.</summary>
public sealed class ReloadTests(TinyModels m) : IClassFixture<TinyModels>
{
    private static string Id(JsonElement health) => health.GetProperty("model").GetProperty("id").GetString()!;

    [Fact]
    public async Task A_model_renamed_over_the_old_one_is_served_after_it()
    {
        string dir = m.ServingFolder(m.ModelA);
        using var app = new ServiceApp(dir);
        Assert.Equal(TinyModels.Sha256(m.ModelA), await app.ModelIdAsync());
        string tmp = Path.Combine(dir, "model.zip.tmp");
        File.Copy(m.ModelB, tmp);
        File.Move(tmp, app.ModelPath, overwrite: true);   // how 'mlnet-siamese train' writes model.zip
        string b = TinyModels.Sha256(m.ModelB);
        Assert.True(await app.WaitForAsync(h => Id(h) == b), "the renamed model was not picked up");
        var health = await app.HealthAsync();
        Assert.Equal(1, health.GetProperty("reload").GetProperty("reloads").GetInt32());

        // Served embeddings are the new model's.
        var pixels = TinyModels.Pixels(0, new Random(5));
        var body = await (await app.Client.PostAsJsonAsync("/embed", new { pixels })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(b, body.GetProperty("modelId").GetString());
        var expected = TinyModels.Reference(m.ModelB, [pixels])[0];
        var got = body.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.True(expected.Zip(got).All(p => Math.Abs(p.First - p.Second) <= 1e-6f));
    }

    [Fact]
    public async Task A_model_copied_over_the_old_one_in_place_is_served_after_it()
    {
        string dir = m.ServingFolder(m.ModelA);
        using var app = new ServiceApp(dir);
        // In place: the same file (inode) rewritten, as cp does; written in two halves with a pause between.
        var bytes = File.ReadAllBytes(m.ModelB);
        using (var stream = new FileStream(app.ModelPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.SetLength(0);
            stream.Write(bytes, 0, bytes.Length / 2);
            stream.Flush();
            await Task.Delay(350);   // several polls see a half-written file
            stream.Write(bytes, bytes.Length / 2, bytes.Length - bytes.Length / 2);
        }
        string b = TinyModels.Sha256(m.ModelB);
        Assert.True(await app.WaitForAsync(h => Id(h) == b), "the copied model was not picked up");
    }

    [Fact]
    public async Task A_corrupt_model_keeps_the_old_one_and_a_later_good_file_loads()
    {
        string dir = m.ServingFolder(m.ModelA);
        using var app = new ServiceApp(dir);
        string a = TinyModels.Sha256(m.ModelA);
        var zip = File.ReadAllBytes(m.ModelB);
        File.WriteAllBytes(app.ModelPath, zip[..(zip.Length / 3)]);   // a truncated zip
        Assert.True(await app.WaitForAsync(h => h.GetProperty("reload").GetProperty("lastError").ValueKind == JsonValueKind.String), "no reload error reported");
        var health = await app.HealthAsync();
        Assert.Equal(a, Id(health));
        Assert.Contains("cannot be loaded", health.GetProperty("reload").GetProperty("lastError").GetString());
        Assert.Contains(a, health.GetProperty("reload").GetProperty("lastError").GetString());   // "still serving <old id>"
        var embed = await app.Client.PostAsJsonAsync("/embed", new { pixels = TinyModels.Pixels(1, new Random(1)) });
        Assert.Equal(HttpStatusCode.OK, embed.StatusCode);

        // A model of another dimension is a fine model: with no store it is served.
        File.Copy(m.Model12, app.ModelPath, overwrite: true);
        string c = TinyModels.Sha256(m.Model12);
        Assert.True(await app.WaitForAsync(h => Id(h) == c), "the good model after the corrupt one was not picked up");
        health = await app.HealthAsync();
        Assert.Equal(JsonValueKind.Null, health.GetProperty("reload").GetProperty("lastError").ValueKind);
        Assert.Equal(12, health.GetProperty("model").GetProperty("dimension").GetInt32());
    }
}
