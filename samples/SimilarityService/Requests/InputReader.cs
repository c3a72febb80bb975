using System.Globalization;
using System.Text.Json;
using SimilarityService.Model;

namespace SimilarityService.Requests;

/// <summary>
/// One model input from a request, validated: an image (a multipart file field, or base64 in JSON) decoded to the
/// model's pixels, or the pixels themselves (a JSON array). Every refusal names the field and what was expected.
/// </summary>
public static class InputReader
{
    /// <summary>
    /// The input named <paramref name="name"/>: "image" for /embed and /search (multipart field <c>image</c>, or JSON
    /// <c>{"image": "&lt;base64&gt;"}</c> / <c>{"pixels": [...]}</c>), "a" or "b" for /compare (multipart fields <c>a</c>
    /// and <c>b</c>, or JSON <c>{"a": {...}, "b": {...}}</c> holding one of those each).
    /// </summary>
    public static float[] Read(RequestBody body, string name, ServedModel model, ServiceSettings settings)
    {
        if (body.Form is { } form)
        {
            var file = form.Files.GetFile(name)
                ?? throw new BadInputException(name, $"The multipart form has no file field '{name}'" +
                    (form.Files.Count > 0 ? $" (it has {string.Join(", ", form.Files.Select(f => $"'{f.Name}'"))})" : "") +
                    $"; send the image as -F {name}=@photo.png.");
            using var stream = file.OpenReadStream();
            var bytes = new byte[file.Length];
            stream.ReadExactly(bytes);
            return Image(bytes, name, model, settings);
        }
        var root = body.Json!.Value;
        JsonElement holder = root;
        string prefix = "";
        if (name != "image")
        {
            if (!root.TryGetProperty(name, out holder) || holder.ValueKind != JsonValueKind.Object)
                throw new BadInputException(name, $"Field '{name}' is {(root.TryGetProperty(name, out var h) ? RequestBody.Kind(h) : "missing")}; expected an object {{\"image\": \"<base64>\"}} or {{\"pixels\": [...]}}.");
            prefix = name + ".";
        }
        bool hasImage = holder.TryGetProperty("image", out var image), hasPixels = holder.TryGetProperty("pixels", out var pixels);
        if (hasImage == hasPixels)
            throw new BadInputException(prefix + "image", $"Give exactly one of '{prefix}image' (base64 of an image file) and '{prefix}pixels' (an array of {model.InputDescription}); " +
                                                          $"the request has {(hasImage ? "both" : "neither")}.");
        if (hasPixels) return Pixels(pixels, prefix + "pixels", model);
        string field = prefix + "image";
        if (image.ValueKind != JsonValueKind.String)
            throw new BadInputException(field, $"Field '{field}' is {RequestBody.Kind(image)}; expected a string with the image file in base64.");
        string text = image.GetString()!;
        if (text.StartsWith("data:", StringComparison.Ordinal) && text.IndexOf(',') is var comma and > 0) text = text[(comma + 1)..];   // a data: URL
        byte[] decoded;
        try { decoded = Convert.FromBase64String(text); }
        catch (FormatException) { throw new BadInputException(field, $"Field '{field}' is not valid base64 ({text.Length} characters); expected the image file's bytes in base64."); }
        return Image(decoded, field, model, settings);
    }

    private static float[] Image(byte[] bytes, string field, ServedModel model, ServiceSettings settings)
    {
        if (!model.IsImage)
            throw new BadInputException(field, $"This model embeds feature vectors, not images; send JSON {{\"pixels\": [...]}} with {model.InputDescription}.");
        if (bytes.Length == 0) throw new BadInputException(field, $"Field '{field}' is empty; expected an image file (PNG, JPEG, BMP, GIF or WEBP).");
        using (var codec = SkiaSharp.SKCodec.Create(new SkiaSharp.SKMemoryStream(bytes)))
        {
            if (codec == null)
                throw new BadInputException(field, $"Field '{field}' ({bytes.Length:N0} bytes starting {Convert.ToHexString(bytes.AsSpan(0, Math.Min(8, bytes.Length)))}) is not an image " +
                                                   "that can be decoded; expected a PNG, JPEG, BMP, GIF or WEBP file.");
            long pixels = (long)codec.Info.Width * codec.Info.Height;
            if (pixels > settings.MaxImagePixels)
                throw new BadInputException(field, $"Field '{field}' is a {codec.Info.Width} x {codec.Info.Height} image ({pixels:N0} pixels); at most {settings.MaxImagePixels:N0} are accepted " +
                                                   $"(Similarity:MaxImagePixels). The model looks at {model.Encoder.Width} x {model.Encoder.Height}.");
        }
        try
        {
            return model.Decode(bytes);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new BadInputException(field, $"Field '{field}' could not be decoded as an image ({e.Message}); expected a PNG, JPEG, BMP, GIF or WEBP file.");
        }
    }

    private static float[] Pixels(JsonElement array, string field, ServedModel model)
    {
        if (array.ValueKind != JsonValueKind.Array)
            throw new BadInputException(field, $"Field '{field}' is {RequestBody.Kind(array)}; expected an array of {model.InputDescription}.");
        int length = array.GetArrayLength();
        if (length != model.InputSize)
            throw new BadInputException(field, $"Field '{field}' has {length} values; the model takes {model.InputDescription}.");
        var values = new float[length];
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            float v = item.ValueKind switch
            {
                JsonValueKind.Number => item.TryGetSingle(out var f) ? f : float.NaN,
                JsonValueKind.String when float.TryParse(item.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) => s,   // "NaN", "Infinity"
                _ => throw new BadInputException(field, $"Field '{field}': value {i} is {RequestBody.Kind(item)}; expected a number ({model.InputDescription})."),
            };
            if (!float.IsFinite(v))
                throw new BadInputException(field, $"Field '{field}': value {i} is {(item.ValueKind == JsonValueKind.Number ? item.GetRawText() + ", beyond float range" : v.ToString(CultureInfo.InvariantCulture))}; expected finite numbers ({model.InputDescription}).");
            if (model.IsImage && v is < 0 or > 1)
                throw new BadInputException(field, $"Field '{field}': value {i} is {v.ToString(CultureInfo.InvariantCulture)}; pixels are in [0, 1] (divide 0-255 values by 255).");
            values[i++] = v;
        }
        return values;
    }
}
