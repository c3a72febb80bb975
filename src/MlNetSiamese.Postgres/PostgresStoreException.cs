namespace MlNetSiamese.Postgres;

/// <summary>
/// A store that cannot be used as asked: the server cannot be reached, pgvector is missing, or the table belongs to
/// another model or dimension. The message names the store (<see cref="PostgresEmbeddingStore.Name"/>: host, port,
/// database and table, never the password) and says what to check.
/// </summary>
public sealed class PostgresStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PostgresStoreException(string storeName, string message, Exception? inner = null) : base(message, inner) => StoreName = storeName;

    /// <summary>The store's <c>host:port/database/table</c>.</summary>
    public string StoreName { get; }
}
