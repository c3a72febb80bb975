using System.Globalization;
using SimilarityService.Model;
using SimilarityService.Requests;
using SimilarityService.Search;

namespace SimilarityService.Endpoints;

/// <summary>
/// POST /search: an image (as for /embed) and <c>k</c> (query string, form field or JSON; default 10) to the k most
/// similar stored items. 409 when the store holds another model's embeddings, 503 without a reachable store.
/// </summary>
public static class SearchEndpoint
{
    public const int DefaultK = 10;

    public static void Map(WebApplication app) => app.MapPost("/search", async (HttpRequest request, ModelHolder models, ISimilarityStore store, ServiceSettings settings, CancellationToken ct) =>
    {
        var model = models.Current;
        var body = await RequestBody.ReadAsync(request, settings.MaxRequestBytes, ct);
        int k = ReadK(request, body, settings.MaxK);
        var query = model.Embed(InputReader.Read(body, "image", model, settings));
        var outcome = await store.SearchAsync(model, query, k, ct);
        return outcome.Matches is { } matches
            ? Results.Ok(new SearchResponse(model.Id, store.Name!, k, matches))
            : Results.Json(new ErrorResponse("store", outcome.Message!), statusCode: outcome.Status);
    });

    private static int ReadK(HttpRequest request, RequestBody body, int maxK)
    {
        string? text = request.Query["k"].FirstOrDefault() ?? body.Form?["k"].FirstOrDefault();
        int k = DefaultK;
        if (text != null && !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out k))
            throw new BadInputException("k", $"k is '{text}'; expected a whole number from 1 to {maxK}.");
        if (text == null && body.Json is { } json && json.TryGetProperty("k", out var value))
        {
            if (value.ValueKind != System.Text.Json.JsonValueKind.Number || !value.TryGetInt32(out k))
                throw new BadInputException("k", $"k is {value.GetRawText()}; expected a whole number from 1 to {maxK}.");
        }
        if (k < 1 || k > maxK) throw new BadInputException("k", $"k is {k}; expected a whole number from 1 to {maxK} (Similarity:MaxK).");
        return k;
    }
}

public sealed record SearchResponse(string ModelId, string Store, int K, IReadOnlyList<SearchMatch> Matches);
