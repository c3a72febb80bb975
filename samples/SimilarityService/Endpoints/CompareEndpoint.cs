using MlNetSiamese.Evaluation;
using SimilarityService.Model;
using SimilarityService.Requests;

namespace SimilarityService.Endpoints;

/// <summary>
/// POST /compare: two images (multipart fields <c>a</c> and <c>b</c>, or JSON <c>{"a": {...}, "b": {...}}</c>) embedded
/// in one batch; their cosine similarity, and with a calibrated threshold (calibration.json beside the model) whether
/// they match (similarity &gt;= threshold).
/// </summary>
public static class CompareEndpoint
{
    public static void Map(WebApplication app) => app.MapPost("/compare", async (HttpRequest request, ModelHolder models, ServiceSettings settings, CancellationToken ct) =>
    {
        var model = models.Current;
        var body = await RequestBody.ReadAsync(request, settings.MaxRequestBytes, ct);
        var a = InputReader.Read(body, "a", model, settings);
        var b = InputReader.Read(body, "b", model, settings);
        var (ea, eb) = await model.EmbedPairAsync(a, b, ct);
        double similarity = EmbeddingMath.Cosine(ea, eb);   // unit vectors (the probe checks), in double
        return Results.Ok(new CompareResponse(model.Id, similarity, model.Threshold, model.Threshold is float t ? similarity >= t : null));
    });
}

public sealed record CompareResponse(string ModelId, double Similarity, float? Threshold, bool? IsMatch);
