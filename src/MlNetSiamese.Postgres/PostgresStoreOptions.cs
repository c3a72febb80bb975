using System.Text.RegularExpressions;
using Npgsql;

namespace MlNetSiamese.Postgres;

/// <summary>
/// Where a <see cref="PostgresEmbeddingStore"/> keeps one model's embeddings: the server and database (a Npgsql
/// connection string), the table, the model's embedding dimension and id, and the HNSW search breadth.
/// <see cref="PostgresEmbeddingStore.OpenAsync"/> validates them and names the option at fault.
/// </summary>
public sealed partial class PostgresStoreOptions
{
    /// <summary>The default of <see cref="EfSearch"/>: 200 candidates. On 10,000 random 64-dimensional unit vectors (no
    /// clusters: the hardest case for HNSW) recall@10 against the exact top-10 was 0.994-0.997 at about 2 ms a query;
    /// pgvector's own default, 40, gave 0.78 and 100 gave 0.95 (TenThousandItemTests, the project's README.md).</summary>
    public const int DefaultEfSearch = 200;

    /// <summary>Longest table name: PostgreSQL's 63-byte identifiers, less the suffix of the index's name.</summary>
    public const int MaxTableNameLength = 48;

    /// <summary>Npgsql connection string, e.g. <c>Host=db;Port=5432;Database=shop;Username=app;Password=...</c>.
    /// Pooling options apply (one pooled data source per store).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The table of embeddings: lower-case letters, digits and '_', starting with a letter or '_', at most
    /// <see cref="MaxTableNameLength"/> characters. Created in the connection's default schema (search_path).</summary>
    public string Table { get; set; } = "siamese_embeddings";

    /// <summary>The model's embedding dimension (1..16,000, pgvector's limit; HNSW indexes up to 2,000).</summary>
    public int Dimension { get; set; }

    /// <summary>The id of the model that makes the embeddings: the SHA-256 of its model.zip as hexadecimal (64 digits,
    /// any case; stored lower-case). A table made for another model is refused.</summary>
    public string ModelId { get; set; } = "";

    /// <summary>HNSW candidate-list size of searches (<c>hnsw.ef_search</c>): higher is slower and closer to exact.
    /// Raised to k when a search asks for more than this many neighbours. 1..1,000.</summary>
    public int EfSearch { get; set; } = DefaultEfSearch;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad option and what it expects.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
            throw new ArgumentException("PostgresStoreOptions.ConnectionString is empty; expected a Npgsql connection string such as 'Host=localhost;Database=shop;Username=app'.", nameof(ConnectionString));
        try { _ = new NpgsqlConnectionStringBuilder(ConnectionString); }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"PostgresStoreOptions.ConnectionString is not a valid Npgsql connection string ({e.Message}); expected 'Host=...;Database=...;Username=...'.", nameof(ConnectionString), e);
        }
        if (Table is null || !TableName().IsMatch(Table))
            throw new ArgumentException($"PostgresStoreOptions.Table '{Table}' is not a valid table name; expected lower-case letters, digits and '_', " +
                                        $"starting with a letter or '_', at most {MaxTableNameLength} characters.", nameof(Table));
        if (Dimension is < 1 or > 16000)
            throw new ArgumentException($"PostgresStoreOptions.Dimension is {Dimension}; expected the model's embedding dimension, 1..16000.", nameof(Dimension));
        if (ModelId is null || !ModelIdFormat().IsMatch(ModelId))
            throw new ArgumentException($"PostgresStoreOptions.ModelId '{ModelId}' is not a SHA-256 in hexadecimal; expected the 64 hex digits of the model.zip's SHA-256.", nameof(ModelId));
        if (EfSearch is < 1 or > 1000)
            throw new ArgumentException($"PostgresStoreOptions.EfSearch is {EfSearch}; expected 1..1000 (pgvector's hnsw.ef_search).", nameof(EfSearch));
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,47}$")]
    private static partial Regex TableName();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex ModelIdFormat();
}
