using MlNetSiamese.Postgres;
using Npgsql;
using SimilarityService.Model;

namespace SimilarityService.Search;

/// <summary>
/// /search against the PostgreSQL + pgvector store that <c>mlnet-siamese index --store</c> fills. The store records the
/// id of the model whose embeddings it holds; it is opened for the served model's id (without creating anything), so a
/// model whose id differs gets 409 naming the store and both ids, while /embed and /compare go on with the new model.
/// Once the table holds the new model's embeddings (dropped and indexed again), /search serves again within
/// <see cref="RetryAfter"/>, without a restart.
/// </summary>
public sealed class PostgresSimilarityStore(ServiceSettings settings, ILogger<PostgresSimilarityStore> log) : ISimilarityStore
{
    /// <summary>How long a refusal (another model's table, server down) is answered from memory before the store is asked again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile Opened? opened;
    private volatile Refusal? refused;
    private int dimension;

    private sealed record Opened(string ModelId, PostgresEmbeddingStore Store);
    private sealed record Refusal(string ModelId, int Status, bool Reachable, string Message, DateTime At);

    public string? Name { get; private set; } = $"{Describe(settings.StoreConnectionString!)}/{settings.StoreTable}";

    public int? Dimension => Volatile.Read(ref dimension) is > 0 and var d ? d : null;

    public async Task<SearchOutcome> SearchAsync(ServedModel model, float[] query, int k, CancellationToken ct)
    {
        var (store, refusal) = await ForModelAsync(model, ct);
        if (store == null) return SearchOutcome.Problem(refusal!.Status, refusal.Message);
        try
        {
            var matches = await store.SearchAsync(query, k, ct: ct);
            return SearchOutcome.Found(matches.Select(m => new SearchMatch(m.Id, m.Similarity, m.Label, m.Metadata)).ToList());
        }
        catch (PostgresStoreException e)
        {
            return SearchOutcome.Problem(StatusCodes.Status503ServiceUnavailable, e.Message);
        }
    }

    public async Task<StoreHealth> HealthAsync(ServedModel model, CancellationToken ct)
    {
        var (store, refusal) = await ForModelAsync(model, ct);
        if (store == null) return new StoreHealth(true, Name, refusal!.Reachable, false, null, refusal.Message);
        try
        {
            return new StoreHealth(true, Name, true, true, await store.CountAsync(ct), null);
        }
        catch (PostgresStoreException e)
        {
            return new StoreHealth(true, Name, false, true, null, e.Message);
        }
    }

    /// <summary>The store opened for <paramref name="model"/>'s id, or why it cannot serve it.</summary>
    private async Task<(PostgresEmbeddingStore? Store, Refusal? Refusal)> ForModelAsync(ServedModel model, CancellationToken ct)
    {
        if (opened is { } o && o.ModelId == model.Id) return (o.Store, null);
        if (refused is { } r && r.ModelId == model.Id && DateTime.UtcNow - r.At < RetryAfter) return (null, r);
        await gate.WaitAsync(ct);
        try
        {
            if (opened is { } again && again.ModelId == model.Id) return (again.Store, null);
            if (refused is { } r2 && r2.ModelId == model.Id && DateTime.UtcNow - r2.At < RetryAfter) return (null, r2);
            try
            {
                var store = await PostgresEmbeddingStore.OpenAsync(new PostgresStoreOptions
                {
                    ConnectionString = settings.StoreConnectionString!, Table = settings.StoreTable, Dimension = model.Dimension, ModelId = model.Id,
                }, create: false, ct);
                var previous = opened;
                opened = new Opened(model.Id, store);
                refused = null;
                Name = store.Name;
                Volatile.Write(ref dimension, store.Dimension);
                if (previous != null) await previous.Store.DisposeAsync();   // searches in flight on it end with a 503 at worst
                log.LogInformation("Store {Store} holds the embeddings of model {Id}", store.Name, model.Id);
                return (store, null);
            }
            catch (PostgresStoreException e)
            {
                // The server answered (no connection error inside): the table is another model's, another dimension's, or missing.
                bool reachable = e.InnerException is not NpgsqlException;
                bool mismatch = reachable && (e.Message.Contains("another model", StringComparison.Ordinal) || e.Message.Contains("-dimensional embeddings, but", StringComparison.Ordinal));
                string message = mismatch
                    ? $"Store {e.StoreName} does not hold the embeddings of the served model {model.Id}: {e.Message} /embed and /compare serve the new model; " +
                      "/search serves again once the store holds its embeddings ('mlnet-siamese index --store' into a new table named by Similarity:StoreTable, or the old table dropped and indexed again)."
                    : e.Message;
                Name = e.StoreName;
                var refusal = new Refusal(model.Id, mismatch ? StatusCodes.Status409Conflict : StatusCodes.Status503ServiceUnavailable, reachable, message, DateTime.UtcNow);
                refused = refusal;
                log.LogWarning("/search refused for model {Id}: {Message}", model.Id, message);
                return (null, refusal);
            }
            catch (ArgumentException e)
            {
                var refusal = new Refusal(model.Id, StatusCodes.Status503ServiceUnavailable, false, $"The store settings are invalid: {e.Message}", DateTime.UtcNow);
                refused = refusal;
                return (null, refusal);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary><c>host:port/database</c> of a connection string, never its password.</summary>
    private static string Describe(string connectionString)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{(string.IsNullOrEmpty(b.Host) ? "localhost" : b.Host)}:{b.Port}/{b.Database ?? b.Username}";
        }
        catch (ArgumentException)
        {
            return "(invalid connection string)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (opened is { } o) await o.Store.DisposeAsync();
    }
}
