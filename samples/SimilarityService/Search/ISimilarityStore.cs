using SimilarityService.Model;

namespace SimilarityService.Search;

/// <summary>
/// Where /search looks: stored embeddings of one model (the store records the model's id). All state of the service
/// lives there, so any number of replicas can serve the same store.
/// </summary>
public interface ISimilarityStore : IAsyncDisposable
{
    /// <summary>The store in messages (never a password), or null when none is configured.</summary>
    string? Name { get; }

    /// <summary>The dimension of the embeddings the store holds, when known (it answered once); a reloaded model must match it.</summary>
    int? Dimension { get; }

    /// <summary>The <paramref name="k"/> stored items most similar to <paramref name="query"/>, an embedding of <paramref name="model"/>.</summary>
    Task<SearchOutcome> SearchAsync(ServedModel model, float[] query, int k, CancellationToken ct);

    Task<StoreHealth> HealthAsync(ServedModel model, CancellationToken ct);
}
