using System.CommandLine;
using MlNetSiamese.Postgres;

namespace MlNetSiamese.Cli;

/// <summary>
/// <c>--store</c> / <c>--table</c>: a PostgreSQL + pgvector table of one model's embeddings (MlNetSiamese.Postgres),
/// opened for the model's dimension and id (the SHA-256 of model.zip, as saved indexes record it). The store's
/// errors become the CLI's: a bad option names the CLI's option, a server or model problem names the store.
/// </summary>
public static class VectorStore
{
    public static Option<string?> StoreOption(string description) => new("--store") { Description = description };

    public static Option<string> TableOption() => new("--table")
    {
        Description = "Table of the store: lower-case letters, digits and '_'. One table per model.",
        DefaultValueFactory = _ => new PostgresStoreOptions().Table,
    };

    /// <summary>Opens the store for <paramref name="modelPath"/>'s embeddings (create: make what is missing).</summary>
    public static Lease Open(string connectionString, string table, string modelPath, int dimension, bool create,
        int? efSearch, CancellationToken ct)
    {
        var options = new PostgresStoreOptions
        {
            ConnectionString = connectionString, Table = table, Dimension = dimension, ModelId = ModelFiles.Sha256(modelPath),
        };
        if (efSearch is { } ef) options.EfSearch = ef;
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Replace("PostgresStoreOptions.ConnectionString", "--store").Replace("PostgresStoreOptions.Table", "--table")
                .Replace("PostgresStoreOptions.EfSearch", "--ef-search").Split(" (Parameter '")[0]);
        }
        return new Lease(Call(() => PostgresEmbeddingStore.OpenAsync(options, create, ct)));
    }

    /// <summary>Runs a store call to completion; a <see cref="PostgresStoreException"/> becomes a failed run with its message.</summary>
    public static T Call<T>(Func<Task<T>> call)
    {
        try
        {
            return call().GetAwaiter().GetResult();
        }
        catch (PostgresStoreException e)
        {
            throw new RunException(e.Message, e);
        }
    }

    /// <inheritdoc cref="Call{T}(Func{Task{T}})"/>
    public static void Call(Func<Task> call) => Call(async () => { await call().ConfigureAwait(false); return 0; });

    /// <summary>An open store whose connection pool closes when the command ends.</summary>
    public sealed class Lease(PostgresEmbeddingStore store) : IDisposable
    {
        public PostgresEmbeddingStore Store { get; } = store;
        public void Dispose() => Store.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
