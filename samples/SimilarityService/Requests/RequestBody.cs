using System.Text.Json;

namespace SimilarityService.Requests;

/// <summary>
/// A request body read whole (at most <see cref="ServiceSettings.MaxRequestBytes"/>): a multipart form (file fields
/// and text fields) or a JSON object. Anything else is refused naming the content types accepted.
/// </summary>
public sealed class RequestBody
{
    private RequestBody(IFormCollection? form, JsonElement? json) => (Form, Json) = (form, json);

    public IFormCollection? Form { get; }
    public JsonElement? Json { get; }

    public static async Task<RequestBody> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
            throw new BadInputException("body", $"The request body is {request.ContentLength:N0} bytes; at most {maxBytes:N0} are accepted (Similarity:MaxRequestBytes).");
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw new BadInputException("body", $"The request body is longer than {maxBytes:N0} bytes, the most accepted (Similarity:MaxRequestBytes).");
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        if (request.HasFormContentType)
        {
            request.Body = buffer;
            try
            {
                return new RequestBody(await request.ReadFormAsync(ct), null);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                throw new BadInputException("body", $"The multipart form cannot be read: {e.Message}");
            }
        }
        if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                using var doc = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 8 });
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new BadInputException("body", $"The JSON body is {Kind(doc.RootElement)}; expected an object such as {{\"image\": \"<base64>\"}} or {{\"pixels\": [...]}}.");
                return new RequestBody(null, doc.RootElement.Clone());
            }
            catch (JsonException e)
            {
                throw new BadInputException("body", $"The body is not valid JSON ({e.Message}). NaN and infinity cannot be sent as JSON numbers.");
            }
        }
        throw new BadInputException("body", $"Content type '{request.ContentType ?? "(none)"}' is not accepted; send multipart/form-data (an image file field) or application/json.");
    }

    /// <summary>A JSON value's kind in words.</summary>
    public static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => e.ValueKind.ToString(),
    };
}
