using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace MlNetSiamese.Postgres.VectorData;

/// <summary>
/// A <see cref="PostgresEmbeddingStore"/> behind .NET's vector-store abstraction
/// (<see cref="VectorStoreCollection{TKey, TRecord}"/> of Microsoft.Extensions.VectorData): code written against the
/// abstraction (keys, upserts, vector search with top/skip/score threshold) runs on this store as on any other engine.
/// </summary>
/// <remarks>
/// What fits and what does not: the record type is fixed (<see cref="StoredEmbedding"/>: key <c>Id</c>, vector, label,
/// JSON metadata) because the store's table is fixed, so no record definition or attribute mapping is read.
/// Searches take a <c>float[]</c>, a <c>ReadOnlyMemory&lt;float&gt;</c> or an <see cref="Embedding{T}"/> of float (not
/// text: the model that embeds images is not a text generator) and return the cosine similarity as the score
/// (higher is closer; <see cref="VectorSearchOptions{TRecord}.ScoreThreshold"/> keeps scores at or above it).
/// LINQ filters (<see cref="VectorSearchOptions{TRecord}.Filter"/> and the filtered <c>GetAsync</c>) are not translated to
/// SQL and throw <see cref="NotSupportedException"/>. Results leave <see cref="StoredEmbedding.Vector"/> empty unless
/// <see cref="VectorSearchOptions{TRecord}.IncludeVectors"/> or <see cref="RecordRetrievalOptions.IncludeVectors"/> is set.
/// The collection does not own the store: dispose the store yourself.
/// </remarks>
public sealed class PostgresEmbeddingCollection(PostgresEmbeddingStore store) : VectorStoreCollection<string, StoredEmbedding>
{
    private readonly PostgresEmbeddingStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>The store's table.</summary>
    public override string Name => _store.Table;

    /// <inheritdoc/>
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => _store.TableExistsAsync(cancellationToken);

    /// <inheritdoc/>
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => _store.EnsureTableAsync(cancellationToken);

    /// <inheritdoc/>
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) => _store.DropTableAsync(cancellationToken);

    /// <inheritdoc/>
    public override async Task<StoredEmbedding?> GetAsync(string key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        var found = await _store.GetAsync([key], cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : WithVector(found[0], options?.IncludeVectors == true);
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<StoredEmbedding> GetAsync(IEnumerable<string> keys, RecordRetrievalOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var item in await _store.GetAsync(keys.ToList(), cancellationToken).ConfigureAwait(false))
            yield return WithVector(item, options?.IncludeVectors == true);
    }

    /// <summary>Not supported: LINQ filters are not translated to SQL. Use <c>GetAsync(keys)</c> or a search.</summary>
    public override IAsyncEnumerable<StoredEmbedding> GetAsync(Expression<Func<StoredEmbedding, bool>> filter, int top,
        FilteredRecordRetrievalOptions<StoredEmbedding>? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{nameof(PostgresEmbeddingCollection)} ({_store.Name}) does not translate LINQ filters to SQL; get records by key or search by vector.");

    /// <inheritdoc/>
    public override Task DeleteAsync(string key, CancellationToken cancellationToken = default) => _store.DeleteAsync([key], cancellationToken);

    /// <inheritdoc/>
    public override Task DeleteAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default) =>
        _store.DeleteAsync((keys ?? throw new ArgumentNullException(nameof(keys))).ToList(), cancellationToken);

    /// <inheritdoc/>
    public override Task UpsertAsync(StoredEmbedding record, CancellationToken cancellationToken = default) => _store.UpsertAsync([record], cancellationToken);

    /// <inheritdoc/>
    public override Task UpsertAsync(IEnumerable<StoredEmbedding> records, CancellationToken cancellationToken = default) =>
        _store.UpsertAsync((records ?? throw new ArgumentNullException(nameof(records))).ToList(), cancellationToken);

    /// <summary>
    /// The <paramref name="top"/> records most similar to <paramref name="searchValue"/> (a <c>float[]</c>,
    /// <c>ReadOnlyMemory&lt;float&gt;</c> or <see cref="Embedding{T}"/> of float), after <c>Skip</c>, best first; the score is
    /// the cosine similarity. Approximate through the store's HNSW index when it exists.
    /// </summary>
    public override async IAsyncEnumerable<VectorSearchResult<StoredEmbedding>> SearchAsync<TInput>(TInput searchValue, int top,
        VectorSearchOptions<StoredEmbedding>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ReadOnlyMemory<float> query = searchValue switch
        {
            float[] a => a,
            ReadOnlyMemory<float> m => m,
            Embedding<float> e => e.Vector,
            _ => throw new NotSupportedException($"{nameof(PostgresEmbeddingCollection)} searches with float[], ReadOnlyMemory<float> or Embedding<float>, not {typeof(TInput).Name}: " +
                                                 "embed the input with the model first."),
        };
        if (top < 1) throw new ArgumentOutOfRangeException(nameof(top), top, "top must be at least 1.");
        options ??= new VectorSearchOptions<StoredEmbedding>();
        if (options.Filter != null)
            throw new NotSupportedException($"{nameof(PostgresEmbeddingCollection)} ({_store.Name}) does not translate LINQ filters to SQL; search without a filter.");
        if (options.Skip < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Skip, "Skip must be at least 0.");
        var matches = await _store.SearchAsync(query, options.Skip + top, ct: cancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<string, float[]>? vectors = null;
        if (options.IncludeVectors)
            vectors = (await _store.GetAsync(matches.Skip(options.Skip).Select(m => m.Id).ToList(), cancellationToken).ConfigureAwait(false))
                .ToDictionary(i => i.Id, i => i.Vector, StringComparer.Ordinal);
        foreach (var m in matches.Skip(options.Skip))
        {
            if (options.ScoreThreshold is { } threshold && m.Similarity < threshold) continue;
            var vector = vectors != null && vectors.TryGetValue(m.Id, out var v) ? v : [];
            yield return new VectorSearchResult<StoredEmbedding>(new StoredEmbedding(m.Id, vector, m.Label, m.Metadata), m.Similarity);
        }
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey == null && serviceType.IsInstanceOfType(_store) ? _store : null;
    }

    private static StoredEmbedding WithVector(StoredEmbedding item, bool include) => include ? item : item with { Vector = [] };
}
