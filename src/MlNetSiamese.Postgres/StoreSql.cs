using System.Globalization;

namespace MlNetSiamese.Postgres;

/// <summary>
/// The SQL of one store's table. The table name is validated by <see cref="PostgresStoreOptions.Validate"/>
/// (lower-case identifier characters only) and always double-quoted; every value is a parameter.
/// </summary>
internal sealed class StoreSql(string table, int dimension)
{
    /// <summary>One row per store table: the model it holds and its dimension (shared by all stores of a schema).</summary>
    public const string MetadataTable = "mlnetsiamese_stores";

    /// <summary>Serialises the creation and checking of store tables between processes (pg_advisory_xact_lock key).</summary>
    public const long SchemaLockKey = 0x4D4C4E5453494D;   // "MLNTSIM"

    private const string StagingTable = "mlnetsiamese_staging";

    public string Table { get; } = "\"" + table + "\"";
    public string IndexName { get; } = "\"" + table + "_embedding_hnsw\"";

    public static string CreateMetadataTable =>
        $"CREATE TABLE IF NOT EXISTS {MetadataTable} (table_name text PRIMARY KEY, model_id text NOT NULL, dimension integer NOT NULL, " +
        "created_at timestamptz NOT NULL DEFAULT now())";

    public string CreateTable =>
        $"CREATE TABLE {Table} (id text PRIMARY KEY, label text, metadata jsonb, embedding vector({dimension.ToString(CultureInfo.InvariantCulture)}) NOT NULL)";

    public string CreateStaging =>
        $"CREATE TEMP TABLE {StagingTable} (id text, label text, metadata jsonb, embedding vector({dimension.ToString(CultureInfo.InvariantCulture)})) ON COMMIT DROP";

    public static string CopyIntoStaging => $"COPY {StagingTable} (id, label, metadata, embedding) FROM STDIN (FORMAT BINARY)";

    /// <summary>Inserts new ids and updates changed rows; an unchanged row is not written again (nor counted).</summary>
    public string MergeStaging =>
        $"INSERT INTO {Table} AS t (id, label, metadata, embedding) SELECT id, label, metadata, embedding FROM {StagingTable} " +
        "ON CONFLICT (id) DO UPDATE SET label = EXCLUDED.label, metadata = EXCLUDED.metadata, embedding = EXCLUDED.embedding " +
        "WHERE (t.label, t.metadata, t.embedding) IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.metadata, EXCLUDED.embedding)";

    public string CreateHnswIndex => $"CREATE INDEX IF NOT EXISTS {IndexName} ON {Table} USING hnsw (embedding vector_cosine_ops)";

    public string ExistingIds => $"SELECT id FROM {Table} WHERE id = ANY($1)";

    public string Count => $"SELECT count(*) FROM {Table}";

    public string VectorOf => $"SELECT embedding FROM {Table} WHERE id = $1";

    public string Delete => $"DELETE FROM {Table} WHERE id = ANY($1)";

    public string Get => $"SELECT id, label, metadata::text, embedding FROM {Table} WHERE id = ANY($1)";

    /// <summary>Top-k by cosine distance: <c>ORDER BY embedding &lt;=&gt; $1</c>, which pgvector's HNSW index serves.</summary>
    public string Search => $"SELECT id, label, metadata::text, 1 - (embedding <=> $1) FROM {Table} ORDER BY embedding <=> $1 LIMIT $2";
}
