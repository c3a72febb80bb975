using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace MlNetSiamese.Service.Tests;

/// <summary>Each endpoint's happy path, against what an app computes with mlContext.Model.Load + Transform.</summary>
public sealed class EndpointTests(TinyModels m) : IClassFixture<TinyModels>
{
    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    private static float MaxDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b).Max(p => Math.Abs(p.First - p.Second));
    }

    [Fact]
    public async Task Embed_pixels_gives_the_loaded_models_embedding_and_the_files_sha256_as_model_id()
    {
        using var app = new ServiceApp(m.ServingFolder(m.ModelA));
        var pixels = TinyModels.Pixels(1, new Random(7));
        var response = await app.Client.PostAsJsonAsync("/embed", new { pixels });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(TinyModels.Sha256(m.ModelA), body.GetProperty("modelId").GetString());
        Assert.Equal(8, body.GetProperty("dimension").GetInt32());
        var expected = TinyModels.Reference(m.ModelA, [pixels])[0];
        Assert.True(MaxDiff(expected, Floats(body.GetProperty("embedding"))) <= 1e-6f);
    }

    [Fact]
    public async Task Embed_image_upload_decodes_as_the_command_line_does()
    {
        using var app = new ServiceApp(m.ServingFolder(m.ModelA));
        using var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(m.Pngs[2])), "image", "img2.png" } };
        var response = await app.Client.PostAsync("/embed", form);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        // The CLI's decoding: ImageFolder.LoadInMemory (LoadImages -> grey -> ResizeImages -> ExtractPixels) from the file.
        var listing = ImageFolderListing.FromFiles(m.Root, [m.Pngs[2]]);
        var view = ImageFolder.LoadInMemory(listing, TinyModels.Side, TinyModels.Side, grayscale: true, minClasses: 1);
        var pixels = new float[view.FeatureLength];
        view.CopyFeatures(0, pixels);
        var expected = TinyModels.Reference(m.ModelA, [pixels])[0];
        Assert.True(MaxDiff(expected, Floats(body.GetProperty("embedding"))) <= 1e-6f);
    }

    [Fact]
    public async Task Embed_a_colour_image_of_another_size_converts_it_as_the_command_line_does()
    {
        string file = Path.Combine(m.Root, "colour-30x20.jpg");
        using (var bitmap = new SkiaSharp.SKBitmap(30, 20))
        {
            for (int y = 0; y < 20; y++) for (int x = 0; x < 30; x++) bitmap.SetPixel(x, y, new SkiaSharp.SKColor((byte)(x * 8), (byte)(y * 12), (byte)((x + y) * 5)));
            using var jpg = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(file, jpg.ToArray());
        }
        using var app = new ServiceApp(m.ServingFolder(m.ModelA));
        using var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(file)), "image", "colour.jpg" } };
        var response = await app.Client.PostAsync("/embed", form);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        var view = ImageFolder.LoadInMemory(ImageFolderListing.FromFiles(m.Root, [file]), TinyModels.Side, TinyModels.Side, grayscale: true, minClasses: 1);
        var pixels = new float[view.FeatureLength];
        view.CopyFeatures(0, pixels);
        var expected = TinyModels.Reference(m.ModelA, [pixels])[0];
        Assert.True(MaxDiff(expected, Floats(body.GetProperty("embedding"))) <= 1e-6f);
    }

    [Fact]
    public async Task Compare_gives_the_cosine_of_the_two_embeddings_and_the_calibrated_decision()
    {
        using var app = new ServiceApp(m.ServingFolder(m.ModelA, threshold: 0.25f));
        var a = TinyModels.Pixels(0, new Random(11));
        var png = File.ReadAllBytes(m.Pngs[0]);
        var response = await app.Client.PostAsJsonAsync("/compare", new { a = new { pixels = a }, b = new { image = Convert.ToBase64String(png) } });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());

        var listing = ImageFolderListing.FromFiles(m.Root, [m.Pngs[0]]);
        var view = ImageFolder.LoadInMemory(listing, TinyModels.Side, TinyModels.Side, grayscale: true, minClasses: 1);
        var b = new float[view.FeatureLength];
        view.CopyFeatures(0, b);
        var e = TinyModels.Reference(m.ModelA, [a, b]);
        double dot = 0, na = 0, nb = 0;   // float64, from the reference embeddings
        for (int i = 0; i < e[0].Length; i++) { dot += (double)e[0][i] * e[1][i]; na += (double)e[0][i] * e[0][i]; nb += (double)e[1][i] * e[1][i]; }
        double expected = dot / Math.Sqrt(na * nb);
        double similarity = body.GetProperty("similarity").GetDouble();
        Assert.True(Math.Abs(expected - similarity) <= 1e-6, $"{similarity} vs {expected}");
        Assert.Equal(0.25f, body.GetProperty("threshold").GetSingle());
        Assert.Equal(similarity >= 0.25, body.GetProperty("isMatch").GetBoolean());

        // Multipart: fields a and b; no calibration.json -> no decision.
        using var plain = new ServiceApp(m.ServingFolder(m.ModelA));
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(png), "a", "x.png" },
            { new ByteArrayContent(png), "b", "y.png" },
        };
        response = await plain.Client.PostAsync("/compare", form);
        body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.True(Math.Abs(body.GetProperty("similarity").GetDouble() - 1) <= 1e-5);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("isMatch").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("threshold").ValueKind);
    }

    [Fact]
    public async Task Health_names_the_model_its_load_time_threads_and_no_store()
    {
        var before = DateTimeOffset.UtcNow;
        using var app = new ServiceApp(m.ServingFolder(m.ModelA));
        var health = await app.HealthAsync();
        Assert.Equal("ok", health.GetProperty("status").GetString());
        var model = health.GetProperty("model");
        Assert.Equal(TinyModels.Sha256(m.ModelA), model.GetProperty("id").GetString());
        Assert.InRange(model.GetProperty("loadedAt").GetDateTimeOffset(), before, DateTimeOffset.UtcNow);
        Assert.Equal(16, model.GetProperty("image").GetProperty("width").GetInt32());
        Assert.Equal(1, health.GetProperty("torchThreads").GetInt32());   // the serving default
        Assert.False(health.GetProperty("store").GetProperty("configured").GetBoolean());

        var search = await app.Client.PostAsJsonAsync("/search", new { pixels = TinyModels.Pixels(0, new Random(1)) });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, search.StatusCode);
        Assert.Contains("Similarity__StoreConnectionString", await search.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_model_saved_with_the_label_step_is_served_without_a_label()
    {
        using var app = new ServiceApp(m.ServingFolder(m.ModelAWithLabelStep));
        var pixels = TinyModels.Pixels(2, new Random(3));
        var response = await app.Client.PostAsJsonAsync("/embed", new { pixels });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        var expected = TinyModels.Reference(m.ModelA, [pixels])[0];
        Assert.True(MaxDiff(expected, Floats(body.GetProperty("embedding"))) <= 1e-6f);
    }
}
