using SimilarityService.Model;
using SimilarityService.Requests;

namespace SimilarityService.Endpoints;

/// <summary>POST /embed: one image (multipart field <c>image</c>, or JSON <c>image</c>/<c>pixels</c>) to its embedding.</summary>
public static class EmbedEndpoint
{
    public static void Map(WebApplication app) => app.MapPost("/embed", async (HttpRequest request, ModelHolder models, ServiceSettings settings, CancellationToken ct) =>
    {
        var model = models.Current;   // this request finishes on this model, whatever a reload does meanwhile
        var body = await RequestBody.ReadAsync(request, settings.MaxRequestBytes, ct);
        var input = InputReader.Read(body, "image", model, settings);
        var embedding = model.Embed(input);
        return Results.Ok(new EmbedResponse(model.Id, embedding.Length, embedding));
    });
}

public sealed record EmbedResponse(string ModelId, int Dimension, float[] Embedding);
