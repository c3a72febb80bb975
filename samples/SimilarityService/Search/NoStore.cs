using SimilarityService.Model;

namespace SimilarityService.Search;

/// <summary>No store configured: /search answers 503 saying which setting to give.</summary>
public sealed class NoStore : ISimilarityStore
{
    public string? Name => null;
    public int? Dimension => null;

    public Task<SearchOutcome> SearchAsync(ServedModel model, float[] query, int k, CancellationToken ct) =>
        Task.FromResult(SearchOutcome.Problem(StatusCodes.Status503ServiceUnavailable,
            "No store is configured for /search: set Similarity:StoreConnectionString (environment variable Similarity__StoreConnectionString) " +
            "to the PostgreSQL database that 'mlnet-siamese index' filled."));

    public Task<StoreHealth> HealthAsync(ServedModel model, CancellationToken ct) => Task.FromResult(new StoreHealth(false, null, false, false, null, null));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
