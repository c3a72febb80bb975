using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace MlNetSiamese.Postgres;

/// <summary>
/// One model's embeddings in PostgreSQL with pgvector: a table <c>(id text primary key, label text, metadata jsonb,
/// embedding vector(D))</c>, registered with the model's id and dimension in <c>mlnetsiamese_stores</c>; batched upserts
/// (binary COPY into a temporary table, then <c>INSERT ... ON CONFLICT</c>, so re-runs add no duplicates); an HNSW
/// index on cosine distance; top-k by vector or by stored id, approximate (HNSW) or exact (a full scan).
/// </summary>
/// <remarks>
/// Every call takes a connection from one pooled <see cref="NpgsqlDataSource"/>, so one instance is safe to share
/// between concurrent requests; dispose it to close the pool. Failures to reach the server surface as
/// <see cref="PostgresStoreException"/> naming the store (<see cref="Name"/>) and what to check.
/// </remarks>
public sealed class PostgresEmbeddingStore : IAsyncDisposable
{
    /// <summary>Ids per round-trip of <see cref="ExistingIdsAsync"/>, <see cref="GetAsync"/> and <see cref="DeleteAsync"/>.</summary>
    private const int IdChunk = 10_000;

    /// <summary>pgvector's largest <c>hnsw.ef_search</c>; an HNSW scan returns at most that many rows.</summary>
    public const int MaxApproximateK = 1000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly StoreSql _sql;
    private readonly string _host;
    private readonly int _port;

    private PostgresEmbeddingStore(NpgsqlDataSource dataSource, PostgresStoreOptions options, string name, string host, int port)
    {
        _dataSource = dataSource;
        Table = options.Table;
        Dimension = options.Dimension;
        ModelId = options.ModelId.ToLowerInvariant();
        EfSearch = options.EfSearch;
        Name = name;
        _host = host;
        _port = port;
        _sql = new StoreSql(Table, Dimension);
    }

    /// <summary>The store in messages: <c>host:port/database/table</c> (never the password).</summary>
    public string Name { get; }

    /// <summary>The table's name.</summary>
    public string Table { get; }

    /// <summary>The embedding dimension of the table.</summary>
    public int Dimension { get; }

    /// <summary>The id of the model whose embeddings the table holds (lower-case hexadecimal SHA-256).</summary>
    public string ModelId { get; }

    /// <summary>The HNSW candidate-list size of approximate searches (<see cref="PostgresStoreOptions.EfSearch"/>).</summary>
    public int EfSearch { get; }

    /// <summary>
    /// Opens the store: connects, and checks that the table belongs to <paramref name="options"/>' model and dimension.
    /// With <paramref name="create"/> it creates what is missing (the <c>vector</c> extension, the registry table
    /// <c>mlnetsiamese_stores</c>, the table); without it a missing table is an error.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    /// <exception cref="PostgresStoreException">The server cannot be reached, pgvector is missing, the table is missing
    /// (create: false), or it was made for another model or dimension; the message names the store and both values.</exception>
    public static async Task<PostgresEmbeddingStore> OpenAsync(PostgresStoreOptions options, bool create = true, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var csb = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        string host = string.IsNullOrEmpty(csb.Host) ? "localhost" : csb.Host;
        string database = csb.Database ?? csb.Username ?? Environment.UserName;
        string name = $"{host}:{csb.Port.ToString(CultureInfo.InvariantCulture)}/{database}/{options.Table}";

        // The schema is prepared on a connection of its own before the vector type is mapped: a data source reads the
        // server's types at its first connection, which must come after CREATE EXTENSION.
        await using (var setup = NpgsqlDataSource.Create(options.ConnectionString))
        {
            try
            {
                await using var connection = await setup.OpenConnectionAsync(ct).ConfigureAwait(false);
                await PrepareSchemaAsync(connection, options, name, create, ct).ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (!ct.IsCancellationRequested)
            {
                throw Wrap(name, host, csb.Port, "opening", e);
            }
        }
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        builder.UseVector();
        return new PostgresEmbeddingStore(builder.Build(), options, name, host, csb.Port);
    }

    private static async Task PrepareSchemaAsync(NpgsqlConnection connection, PostgresStoreOptions options, string name, bool create, CancellationToken ct)
    {
        string modelId = options.ModelId.ToLowerInvariant();
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({StoreSql.SchemaLockKey})", ct).ConfigureAwait(false);

        if (!await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector')", ct).ConfigureAwait(false))
        {
            bool available = await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')", ct).ConfigureAwait(false);
            if (!available)
                throw new PostgresStoreException(name, $"The PostgreSQL server of store {name} has no pgvector extension ('vector' is not among pg_available_extensions). " +
                                                       "Install pgvector on the server (e.g. build it from source with make && make install), then run CREATE EXTENSION vector in the database.");
            if (!create)
                throw new PostgresStoreException(name, $"Store {name}: the database has no 'vector' extension, so it holds no embeddings yet; " +
                                                       "run CREATE EXTENSION vector (or open the store with create: true, as 'mlnet-siamese index' does).");
            try
            {
                await ExecuteAsync(connection, "CREATE EXTENSION IF NOT EXISTS vector", ct).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                throw new PostgresStoreException(name, $"Store {name}: CREATE EXTENSION vector failed ({e.MessageText}). Run it once as a superuser or the database's owner.", e);
            }
        }

        bool registry = await ScalarAsync<bool>(connection, $"SELECT to_regclass('{StoreSql.MetadataTable}') IS NOT NULL", ct).ConfigureAwait(false);
        bool tableExists = await ScalarAsync<bool>(connection, $"SELECT to_regclass('\"{options.Table}\"') IS NOT NULL", ct).ConfigureAwait(false);
        if (!registry && create)
        {
            await ExecuteAsync(connection, StoreSql.CreateMetadataTable, ct).ConfigureAwait(false);
            registry = true;
        }
        (string Model, int Dimension)? registered = null;
        if (registry)
        {
            await using var cmd = new NpgsqlCommand($"SELECT model_id, dimension FROM {StoreSql.MetadataTable} WHERE table_name = $1", connection);
            cmd.Parameters.Add(new NpgsqlParameter { Value = options.Table });
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (await reader.ReadAsync(ct).ConfigureAwait(false)) registered = (reader.GetString(0), reader.GetInt32(1));
        }

        if (tableExists)
        {
            if (registered is not { } r)
                throw new PostgresStoreException(name, $"Store {name}: table '{options.Table}' exists but was not made by MlNetSiamese (no row for it in {StoreSql.MetadataTable}), " +
                                                       "so its model is unknown. Choose another table name, or drop that table.");
            if (!string.Equals(r.Model, modelId, StringComparison.OrdinalIgnoreCase))
                throw new PostgresStoreException(name, $"Store {name} holds the embeddings of another model (model id {r.Model}), not of this one ({modelId}): " +
                                                       "their embeddings do not compare. Use another table for this model (e.g. --table), or drop that table to index again.");
            if (r.Dimension != options.Dimension)
                throw new PostgresStoreException(name, $"Store {name} holds {r.Dimension}-dimensional embeddings, but {options.Dimension} were asked for: " +
                                                       "the model and the table do not match. Use another table, or drop that table to index again.");
            int column = await ScalarAsync<int>(connection,
                $"SELECT atttypmod FROM pg_attribute WHERE attrelid = to_regclass('\"{options.Table}\"') AND attname = 'embedding' AND NOT attisdropped", ct).ConfigureAwait(false);
            if (column != options.Dimension)
                throw new PostgresStoreException(name, $"Store {name}: column 'embedding' is vector({column}), but {StoreSql.MetadataTable} says dimension {r.Dimension}; " +
                                                       "the table was altered by hand. Drop it and index again.");
        }
        else
        {
            if (!create)
                throw new PostgresStoreException(name, $"Store {name} has no table '{options.Table}'. Fill it first with 'mlnet-siamese index --store ...' " +
                                                       "(or open the store with create: true), or check the connection string's database and the table name.");
            var sql = new StoreSql(options.Table, options.Dimension);
            await using (var delete = new NpgsqlCommand($"DELETE FROM {StoreSql.MetadataTable} WHERE table_name = $1", connection))
            {
                delete.Parameters.Add(new NpgsqlParameter { Value = options.Table });   // a row left by a table dropped by hand
                await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await ExecuteAsync(connection, sql.CreateTable, ct).ConfigureAwait(false);
            await using (var insert = new NpgsqlCommand($"INSERT INTO {StoreSql.MetadataTable} (table_name, model_id, dimension) VALUES ($1, $2, $3)", connection))
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = options.Table });
                insert.Parameters.Add(new NpgsqlParameter { Value = modelId });
                insert.Parameters.Add(new NpgsqlParameter { Value = options.Dimension });
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await ExecuteAsync(connection, $"COMMENT ON TABLE {sql.Table} IS 'MlNetSiamese embeddings: model {modelId}, dimension {options.Dimension.ToString(CultureInfo.InvariantCulture)}'", ct)
                .ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Inserts new items and updates changed ones, in one transaction (binary COPY into a temporary table, then
    /// <c>INSERT ... ON CONFLICT (id) DO UPDATE</c>). Items stored already with the same label, metadata and vector are
    /// left as they are.
    /// </summary>
    /// <returns>The rows written: new ids plus changed ones (0 when everything was stored already).</returns>
    /// <exception cref="ArgumentException">An item has an empty or repeated id, a vector of another dimension, a non-finite
    /// or all-zero vector, or metadata that is not JSON; the message names the item.</exception>
    public async Task<int> UpsertAsync(IReadOnlyList<StoredEmbedding> items, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        Validate(items);
        if (items.Count == 0) return 0;
        return await RunAsync("upserting embeddings", async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await ExecuteAsync(connection, _sql.CreateStaging, ct).ConfigureAwait(false);
            await using (var writer = await connection.BeginBinaryImportAsync(StoreSql.CopyIntoStaging, ct).ConfigureAwait(false))
            {
                foreach (var item in items)
                {
                    await writer.StartRowAsync(ct).ConfigureAwait(false);
                    await writer.WriteAsync(item.Id, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    if (item.Label is null) await writer.WriteNullAsync(ct).ConfigureAwait(false);
                    else await writer.WriteAsync(item.Label, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    if (item.Metadata is null) await writer.WriteNullAsync(ct).ConfigureAwait(false);
                    else await writer.WriteAsync(item.Metadata, NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
                    await writer.WriteAsync(new Vector(item.Vector), "vector", ct).ConfigureAwait(false);
                }
                await writer.CompleteAsync(ct).ConfigureAwait(false);
            }
            await using var merge = new NpgsqlCommand(_sql.MergeStaging, connection) { CommandTimeout = 0 };
            int written = await merge.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return written;
        }, ct).ConfigureAwait(false);
    }

    private void Validate(IReadOnlyList<StoredEmbedding> items)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw new ArgumentException($"Item {i} of the batch for store {Name} is null.", nameof(items));
            if (string.IsNullOrEmpty(item.Id)) throw new ArgumentException($"Item {i} of the batch for store {Name} has an empty Id; every item needs a unique id.", nameof(items));
            if (!seen.Add(item.Id)) throw new ArgumentException($"Id '{item.Id}' occurs twice in the batch for store {Name}; ids are unique keys.", nameof(items));
            if (item.Vector is null || item.Vector.Length != Dimension)
                throw new ArgumentException($"Item '{item.Id}' has a vector of {item.Vector?.Length ?? 0} values; store {Name} holds {Dimension}-dimensional embeddings.", nameof(items));
            CheckVector(item.Vector, $"Item '{item.Id}'", nameof(items));
            if (item.Metadata is { } json)
            {
                try { using var _ = JsonDocument.Parse(json); }
                catch (JsonException e) { throw new ArgumentException($"Item '{item.Id}': Metadata is not JSON ({e.Message}); expected JSON text for the jsonb column.", nameof(items), e); }
            }
        }
    }

    private void CheckVector(ReadOnlySpan<float> vector, string what, string parameter)
    {
        bool nonZero = false;
        foreach (float v in vector)
        {
            if (!float.IsFinite(v)) throw new ArgumentException($"{what} has a non-finite value ({v.ToString(CultureInfo.InvariantCulture)}); store {Name} needs finite vectors.", parameter);
            nonZero |= v != 0;
        }
        if (!nonZero) throw new ArgumentException($"{what} is all zeros; cosine similarity needs a non-zero vector (store {Name}).", parameter);
    }

    /// <summary>Which of <paramref name="ids"/> are stored (to skip embedding them again).</summary>
    public async Task<IReadOnlySet<string>> ExistingIdsAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (ids.Count == 0) return found;
        await RunAsync("looking up ids", async connection =>
        {
            foreach (var chunk in ids.Chunk(IdChunk))
            {
                await using var cmd = new NpgsqlCommand(_sql.ExistingIds, connection);
                cmd.Parameters.Add(new NpgsqlParameter { Value = chunk, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false)) found.Add(reader.GetString(0));
            }
            return 0;
        }, ct).ConfigureAwait(false);
        return found;
    }

    /// <summary>The stored items with these ids (missing ids are left out), vectors included.</summary>
    public async Task<IReadOnlyList<StoredEmbedding>> GetAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var items = new List<StoredEmbedding>();
        if (ids.Count == 0) return items;
        await RunAsync("reading items", async connection =>
        {
            foreach (var chunk in ids.Chunk(IdChunk))
            {
                await using var cmd = new NpgsqlCommand(_sql.Get, connection);
                cmd.Parameters.Add(new NpgsqlParameter { Value = chunk, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    items.Add(new StoredEmbedding(reader.GetString(0), reader.GetFieldValue<Vector>(3).ToArray(),
                        reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
            return 0;
        }, ct).ConfigureAwait(false);
        return items;
    }

    /// <summary>Deletes the items with these ids; returns how many were stored.</summary>
    public async Task<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) return 0;
        return await RunAsync("deleting items", async connection =>
        {
            int deleted = 0;
            foreach (var chunk in ids.Chunk(IdChunk))
            {
                await using var cmd = new NpgsqlCommand(_sql.Delete, connection);
                cmd.Parameters.Add(new NpgsqlParameter { Value = chunk, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                deleted += await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return deleted;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Builds the HNSW index on cosine distance (<c>vector_cosine_ops</c>, pgvector's defaults m = 16,
    /// ef_construction = 64) unless it exists. Build it after a bulk load: inserting into an indexed table is slower.
    /// Later upserts keep it up to date.
    /// </summary>
    public Task CreateIndexAsync(CancellationToken ct = default) => RunAsync("building the HNSW index", async connection =>
    {
        await using var cmd = new NpgsqlCommand(_sql.CreateHnswIndex, connection) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return 0;
    }, ct);

    /// <summary>Whether the HNSW index exists.</summary>
    public Task<bool> HasIndexAsync(CancellationToken ct = default) => RunAsync("checking the index", connection =>
        ScalarAsync<bool>(connection, $"SELECT to_regclass('{_sql.IndexName}') IS NOT NULL", ct), ct);

    /// <summary>
    /// The <paramref name="k"/> stored items most similar to <paramref name="query"/> by cosine, best first. Approximate
    /// through the HNSW index when it exists (<c>hnsw.ef_search</c> = max(<see cref="EfSearch"/>, k)); with
    /// <paramref name="exact"/> a full scan that ranks every row, as the in-process <c>CosineIndex</c> does.
    /// </summary>
    /// <exception cref="ArgumentException">The query has another dimension, a non-finite value or is all zeros.</exception>
    /// <exception cref="ArgumentOutOfRangeException">k is below 1, or above <see cref="MaxApproximateK"/> without exact.</exception>
    public async Task<IReadOnlyList<StoreMatch>> SearchAsync(ReadOnlyMemory<float> query, int k, bool exact = false, CancellationToken ct = default)
    {
        if (query.Length != Dimension)
            throw new ArgumentException($"The query has {query.Length} values; store {Name} holds {Dimension}-dimensional embeddings.", nameof(query));
        CheckVector(query.Span, "The query", nameof(query));
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        if (k > MaxApproximateK && !exact)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"An HNSW search returns at most {MaxApproximateK} rows (pgvector's largest ef_search); ask for fewer or search with exact: true.");
        return await RunAsync("searching", async connection =>
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection, tx);
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SET LOCAL hnsw.ef_search = {Math.Max(EfSearch, k).ToString(CultureInfo.InvariantCulture)}"));
            // Without index scans the planner sorts every row by distance: the exact top-k.
            if (exact) batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL enable_indexscan = off"));
            var search = new NpgsqlBatchCommand(_sql.Search);
            search.Parameters.Add(new NpgsqlParameter { Value = new Vector(query) });
            search.Parameters.Add(new NpgsqlParameter { Value = k });
            batch.BatchCommands.Add(search);
            var matches = new List<StoreMatch>(k);
            await using (var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (!reader.HasRows && await reader.NextResultAsync(ct).ConfigureAwait(false)) { }
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    matches.Add(new StoreMatch(reader.GetString(0), (float)reader.GetDouble(3),
                        reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return (IReadOnlyList<StoreMatch>)matches;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>The <paramref name="k"/> items most similar to the stored item <paramref name="id"/>, best first, the item
    /// itself left out.</summary>
    /// <exception cref="KeyNotFoundException">No item has this id; the message names it and the store.</exception>
    public async Task<IReadOnlyList<StoreMatch>> SearchByIdAsync(string id, int k, bool exact = false, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        var vector = await RunAsync("reading an item's vector", async connection =>
        {
            await using var cmd = new NpgsqlCommand(_sql.VectorOf, connection);
            cmd.Parameters.Add(new NpgsqlParameter { Value = id });
            return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as Vector;
        }, ct).ConfigureAwait(false) ?? throw new KeyNotFoundException($"Store {Name} has no item with id '{id}'.");
        var matches = await SearchAsync(vector.Memory, Math.Min(k + 1, exact ? int.MaxValue : MaxApproximateK), exact, ct).ConfigureAwait(false);
        return matches.Where(m => m.Id != id).Take(k).ToList();
    }

    /// <summary>The number of stored items.</summary>
    public Task<long> CountAsync(CancellationToken ct = default) => RunAsync("counting items", connection =>
        ScalarAsync<long>(connection, _sql.Count, ct), ct);

    /// <summary>Closes the connection pool.</summary>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private async Task<T> RunAsync<T>(string operation, Func<NpgsqlConnection, Task<T>> body, CancellationToken ct)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            return await body(connection).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (!ct.IsCancellationRequested)
        {
            throw Wrap(Name, _host, _port, operation, e);
        }
    }

    private static PostgresStoreException Wrap(string name, string host, int port, string operation, NpgsqlException e)
    {
        bool unreachable = e is not PostgresException
            || e is PostgresException p && (p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("28", StringComparison.Ordinal)
                                            || p.SqlState.StartsWith("57P", StringComparison.Ordinal) || p.SqlState is "3D000" or "53300");
        if (unreachable)
        {
            string cause = e.InnerException is SocketException s ? $"{e.Message} ({s.Message})" : e.Message;
            return new PostgresStoreException(name, $"Cannot use PostgreSQL store {name} ({operation}): {cause}. Check that the server is running and accepts " +
                                                    $"connections at {host}:{port.ToString(CultureInfo.InvariantCulture)} (pg_isready -h {host} -p {port.ToString(CultureInfo.InvariantCulture)}), " +
                                                    "and the connection string's user, password and database.", e);
        }
        return new PostgresStoreException(name, $"PostgreSQL store {name}: {operation} failed: {e.Message}", e);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        return (T)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }
}
