using System.Diagnostics;

namespace MlNetSiamese.Postgres.Tests.Support;

/// <summary>
/// 10,000 random 64-dimensional unit vectors, loaded once into table <c>ten_thousand</c> of the collection's server
/// (four upserts of 2,500), and the same vectors in the in-process exact index (<see cref="CosineIndex"/>, ids = row numbers).
/// </summary>
public sealed class TenThousandItems
{
    public const int Count = 10_000, Dimension = 64, Batch = 2_500;
    public static readonly string ModelId = RandomVectors.ModelId('a');

    private readonly SemaphoreSlim _gate = new(1, 1);

    public float[][] Vectors { get; } = RandomVectors.Unit(Count, Dimension, seed: 1);
    public CosineIndex Exact { get; }
    public int WrittenByFirstLoad { get; private set; } = -1;
    public TimeSpan LoadTime { get; private set; }

    public TenThousandItems()
    {
        Exact = new CosineIndex(Dimension);
        Exact.Add(Enumerable.Range(0, Count).Select(i => (long)i).ToArray(), Vectors.SelectMany(v => v).ToArray());
    }

    public PostgresStoreOptions Options(PostgresServer server, int efSearch = PostgresStoreOptions.DefaultEfSearch) => new()
    {
        ConnectionString = server.ConnectionString, Table = "ten_thousand", Dimension = Dimension, ModelId = ModelId, EfSearch = efSearch,
    };

    /// <summary>Opens the table, loading the items first when this is the first call.</summary>
    public async Task<PostgresEmbeddingStore> OpenAsync(PostgresServer server, int efSearch = PostgresStoreOptions.DefaultEfSearch)
    {
        await _gate.WaitAsync();
        try
        {
            var store = await PostgresEmbeddingStore.OpenAsync(Options(server, efSearch));
            if (WrittenByFirstLoad < 0)
            {
                var clock = Stopwatch.StartNew();
                int written = 0;
                var items = RandomVectors.Items(Vectors);
                for (int from = 0; from < Count; from += Batch) written += await store.UpsertAsync(items.GetRange(from, Batch));
                LoadTime = clock.Elapsed;
                WrittenByFirstLoad = written;
            }
            return store;
        }
        finally
        {
            _gate.Release();
        }
    }

    public static int Row(string id) => int.Parse(id["item-".Length..], System.Globalization.CultureInfo.InvariantCulture);
}
