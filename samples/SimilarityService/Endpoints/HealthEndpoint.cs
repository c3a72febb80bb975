using SimilarityService.Model;
using SimilarityService.Search;

namespace SimilarityService.Endpoints;

/// <summary>
/// GET /health: the served model (id = SHA-256 of model.zip, path, load time, shapes, threshold), the last failed
/// reload if any, and the store (reachable, holding this model's embeddings). 200 while a model is served; "status" is
/// "degraded" when a configured store cannot serve /search.
/// </summary>
public static class HealthEndpoint
{
    public static void Map(WebApplication app) => app.MapGet("/health", async (ModelHolder models, ISimilarityStore store, ServiceSettings settings, CancellationToken ct) =>
    {
        var model = models.Current;
        RequestThreads.Apply(settings.TorchThreads);   // what a request thread runs with
        var storeHealth = await store.HealthAsync(model, ct);
        var e = model.Encoder;
        return Results.Ok(new
        {
            status = storeHealth.Configured && !(storeHealth.Reachable && storeHealth.MatchesModel) ? "degraded" : "ok",
            model = new
            {
                id = model.Id, path = model.Path, loadedAt = model.LoadedAt, dimension = model.Dimension, inputSize = model.InputSize,
                image = model.IsImage ? new { channels = e.Channels, height = e.Height, width = e.Width } : null,
                threshold = model.Threshold,
            },
            reload = new
            {
                pollMilliseconds = settings.ReloadPollMilliseconds, reloads = models.Reloads,
                lastError = models.LastReloadError?.Message, lastErrorAt = models.LastReloadError?.At,
            },
            store = storeHealth,
            torchThreads = MlNetSiamese.TorchThreads.IntraOp,
        });
    });
}
