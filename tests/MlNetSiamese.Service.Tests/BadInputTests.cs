using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace MlNetSiamese.Service.Tests;

/// <summary>Every kind of bad input gets 400 with the field named and what was expected.</summary>
public sealed class BadInputTests(TinyModels m) : IClassFixture<TinyModels>, IDisposable
{
    private readonly ServiceApp app = new(m.ServingFolder(m.ModelA), ("Similarity:MaxRequestBytes", "20000"), ("Similarity:MaxImagePixels", "4096"));

    public void Dispose() => app.Dispose();

    private async Task Refused(string path, HttpContent content, string field, params string[] phrases)
    {
        var response = await app.Client.PostAsync(path, content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(field, body.GetProperty("field").GetString());
        foreach (var phrase in phrases) Assert.Contains(phrase, body.GetProperty("error").GetString());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Array(int n, string fill = "0.5") => "[" + string.Join(",", Enumerable.Repeat(fill, n)) + "]";

    [Fact]
    public async Task Pixels_of_the_wrong_length_NaN_infinity_or_out_of_range_are_refused_naming_the_value()
    {
        await Refused("/embed", Json($"{{\"pixels\": {Array(255)}}}"), "pixels", "255 values", "256 values: 1 x 16 x 16");
        string nan = Array(256).Replace("[0.5,0.5,", "[0.5,\"NaN\",");
        await Refused("/embed", Json($"{{\"pixels\": {nan}}}"), "pixels", "value 1 is NaN", "finite");
        string inf = Array(256).Replace("[0.5,0.5,0.5,", "[0.5,0.5,\"-Infinity\",");
        await Refused("/embed", Json($"{{\"pixels\": {inf}}}"), "pixels", "value 2 is -Infinity");
        await Refused("/embed", Json($"{{\"pixels\": {Array(256, "1e60")}}}"), "pixels", "value 0 is 1e60");
        await Refused("/embed", Json($"{{\"pixels\": {Array(256, "255")}}}"), "pixels", "value 0 is 255", "[0, 1]");
        await Refused("/embed", Json($"{{\"pixels\": {Array(256, "true")}}}"), "pixels", "value 0 is a boolean");
        await Refused("/compare", Json($"{{\"a\": {{\"pixels\": {Array(256)}}}, \"b\": {{\"pixels\": {Array(3)}}}}}"), "b.pixels", "3 values");
    }

    [Fact]
    public async Task Undecodable_or_oversized_images_and_bad_base64_are_refused()
    {
        using (var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.ASCII.GetBytes("not a picture at all")), "image", "x.png" } })
            await Refused("/embed", form, "image", "is not an image", "PNG, JPEG");
        await Refused("/embed", Json("{\"image\": \"!!not base64!!\"}"), "image", "not valid base64");
        await Refused("/compare", Json($"{{\"a\": {{\"image\": \"{Convert.ToBase64String(new byte[] { 1, 2, 3 })}\"}}, \"b\": {{\"pixels\": {Array(256)}}}}}"), "a.image", "is not an image");

        // 100 x 100 = 10,000 pixels > MaxImagePixels 4,096: refused from the header, before decoding.
        using var bitmap = new SkiaSharp.SKBitmap(100, 100);
        using var png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        using (var form = new MultipartFormDataContent { { new ByteArrayContent(png.ToArray()), "image", "big.png" } })
            await Refused("/embed", form, "image", "100 x 100", "at most 4,096", "MaxImagePixels");
        // A body over MaxRequestBytes (20,000).
        await Refused("/embed", Json($"{{\"pixels\": {Array(256)}, \"padding\": \"{new string('x', 30000)}\"}}"), "body", "at most 20,000");
    }

    [Fact]
    public async Task Missing_fields_wrong_shapes_and_content_types_are_refused()
    {
        await Refused("/embed", Json("{}"), "image", "exactly one of 'image'", "neither");
        await Refused("/embed", Json($"{{\"image\": \"AAAA\", \"pixels\": {Array(256)}}}"), "image", "both");
        await Refused("/embed", Json("[1, 2]"), "body", "an array", "expected an object");
        await Refused("/embed", Json("{\"pixels\": [0.5,"), "body", "not valid JSON");
        await Refused("/compare", Json($"{{\"a\": {{\"pixels\": {Array(256)}}}}}"), "b", "missing");
        await Refused("/embed", new StringContent("hello", Encoding.UTF8, "text/plain"), "body", "text/plain", "multipart/form-data");
        using (var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(m.Pngs[0])), "picture", "x.png" } })
            await Refused("/embed", form, "image", "no file field 'image'", "'picture'");
        await Refused("/search?k=0", Json($"{{\"pixels\": {Array(256)}}}"), "k", "k is 0", "1 to 100");
        await Refused("/search?k=many", Json($"{{\"pixels\": {Array(256)}}}"), "k", "'many'");
    }
}
