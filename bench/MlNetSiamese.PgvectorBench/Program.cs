using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using MlNetSiamese;
using MlNetSiamese.Postgres;
using Npgsql;

// pgvector (HNSW, pgvector's defaults m = 16, ef_construction = 64) against the in-process exact index (CosineIndex)
// on random L2-normalised vectors: load rate, HNSW build time, on-disk sizes, and per-query latency (p50 / p95) and
// recall@10 against the exact top-10 at several ef_search. Usage: see bench/pgvector.sh, which starts the server.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string? connection = null, markdown = null;
int items = 100_000, dimension = 64, queries = 200, batch = 10_000, k = 10, clusters = 0, m = 16, efConstruction = 64;
double spread = 0.75;
int[] efs = [40, 100, 200, 400];
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--connection": connection = Next(); break;
        case "--items": items = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--dimension": dimension = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--queries": queries = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--ef": efs = Next().Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray(); break;
        case "--markdown": markdown = Next(); break;
        case "--clusters": clusters = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--spread": spread = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--m": m = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--ef-construction": efConstruction = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}; usage: --connection CS [--items N] [--dimension D] [--queries Q] [--ef 40,100,200] " +
                                    "[--clusters C [--spread S]] [--m M] [--ef-construction E] [--markdown FILE]");
            return 2;
    }
}
if (connection == null) { Console.Error.WriteLine("--connection is required (bench/pgvector.sh passes it)"); return 2; }

string loadBefore = File.ReadAllText("/proc/loadavg").Split(' ')[..3].Aggregate((a, b) => a + " " + b);
var started = DateTime.UtcNow;
var random = new Random(1);
float[] vectors, queryRows;
string data;
if (clusters > 0)
{
    // Embedding-like: C random unit centres, each item a centre plus Gaussian noise of norm about S, normalised
    // (cosine to its centre about 1 / sqrt(1 + S^2)); queries are drawn the same way, as new photos of catalogued things.
    var centres = RandomUnitRows(random, clusters, dimension);
    vectors = Clustered(random, centres, items, dimension, spread);
    queryRows = Clustered(new Random(2), centres, queries, dimension, spread);
    data = $"{clusters:N0} clusters (random unit centres; each vector a centre plus Gaussian noise of norm {spread}, normalised: cosine to its centre about {1 / Math.Sqrt(1 + spread * spread):F2}), seed 1; queries drawn the same way (seed 2)";
}
else
{
    vectors = RandomUnitRows(random, items, dimension);
    queryRows = RandomUnitRows(new Random(2), queries, dimension);
    data = "Random L2-normalised vectors (Gaussian directions, no clusters: the hardest case for a graph index), seed 1; random queries (seed 2)";
}
var options = new PostgresStoreOptions
{
    ConnectionString = connection, Table = "bench_pgvector", Dimension = dimension, ModelId = new string('0', 64), HnswM = m, HnswEfConstruction = efConstruction,
};
var log = new List<(string What, string Value)>();
void Note(string what, string value) { log.Add((what, value)); Console.WriteLine($"{what}: {value}"); }

// The in-process exact index: build, per-query latency, and the truth.
var clock = Stopwatch.StartNew();
var exact = new CosineIndex(dimension);
exact.Add(Enumerable.Range(0, items).Select(i => (long)i).ToArray(), vectors);
Note("CosineIndex build (add all vectors)", $"{clock.Elapsed.TotalSeconds:F2} s");
for (int w = 0; w < 50; w++) exact.Search(queryRows.AsSpan(w % queries * dimension, dimension), k);
var truth = new HashSet<string>[queries];
var exactLatency = new List<double>();
for (int q = 0; q < queries; q++)
{
    long t = Stopwatch.GetTimestamp();
    var found = exact.Search(queryRows.AsSpan(q * dimension, dimension), k);
    exactLatency.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
    truth[q] = found.Select(n => Id((int)n.Id)).ToHashSet();
}
Note("CosineIndex query (exact, all cores)", Latency(exactLatency));

// PostgreSQL: a fresh table, loaded in batches.
await using (var old = await PostgresEmbeddingStore.OpenAsync(options)) await old.DropTableAsync();
await using var store = await PostgresEmbeddingStore.OpenAsync(options);
clock.Restart();
for (int from = 0; from < items; from += batch)
{
    int n = Math.Min(batch, items - from);
    var part = Enumerable.Range(from, n).Select(i => new StoredEmbedding(Id(i), vectors.AsSpan(i * dimension, dimension).ToArray(), $"class{i % 10}")).ToList();
    await store.UpsertAsync(part);
}
double loadSeconds = clock.Elapsed.TotalSeconds;
Note($"load (UpsertAsync, batches of {batch:N0})", $"{loadSeconds:F1} s ({items / loadSeconds:N0} items/s)");

var exactPg = new List<double>();
for (int q = 0; q < Math.Min(20, queries); q++)
{
    long t = Stopwatch.GetTimestamp();
    var found = await store.SearchAsync(queryRows.AsMemory(q * dimension, dimension), k, exact: true);
    exactPg.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
    if (!found.Select(m => m.Id).ToHashSet().SetEquals(truth[q]) && q == 0) Console.WriteLine("note: the exact scan differs from CosineIndex on query 0 (ties?)");
}
Note("PostgreSQL exact scan query (no index, 20 queries)", Latency(exactPg));

await using var source = NpgsqlDataSource.Create(connection);
async Task<string> Scalar(string sql) { await using var c = source.CreateCommand(sql); return Convert.ToString(await c.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? ""; }
clock.Restart();
await store.CreateIndexAsync();
double buildSeconds = clock.Elapsed.TotalSeconds;
Note($"HNSW build (m {m}, ef_construction {efConstruction}, vector_cosine_ops)", $"{buildSeconds:F1} s ({items / buildSeconds:N0} items/s)");

long heap = long.Parse(await Scalar("SELECT pg_table_size('bench_pgvector')"), CultureInfo.InvariantCulture);
long indexBytes = long.Parse(await Scalar("SELECT pg_relation_size('bench_pgvector_embedding_hnsw')"), CultureInfo.InvariantCulture);
long pkBytes = long.Parse(await Scalar("SELECT pg_relation_size('bench_pgvector_pkey')"), CultureInfo.InvariantCulture);
Note("table (heap + TOAST)", $"{heap / 1048576.0:F1} MiB = {heap / (double)items:F0} bytes/item (raw vector {dimension * 4} bytes)");
Note("HNSW index", $"{indexBytes / 1048576.0:F1} MiB = {indexBytes / (double)items:F0} bytes/item");
Note("primary key (id text)", $"{pkBytes / 1048576.0:F1} MiB = {pkBytes / (double)items:F0} bytes/item");

foreach (int ef in efs)
{
    await using var s = await PostgresEmbeddingStore.OpenAsync(new PostgresStoreOptions
    {
        ConnectionString = connection, Table = options.Table, Dimension = dimension, ModelId = options.ModelId, EfSearch = ef, HnswM = m, HnswEfConstruction = efConstruction,
    });
    for (int w = 0; w < 20; w++) await s.SearchAsync(queryRows.AsMemory(w % queries * dimension, dimension), k);
    var latency = new List<double>();
    double hits = 0;
    for (int q = 0; q < queries; q++)
    {
        long t = Stopwatch.GetTimestamp();
        var found = await s.SearchAsync(queryRows.AsMemory(q * dimension, dimension), k);
        latency.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        hits += found.Count(m => truth[q].Contains(m.Id));
    }
    Note($"HNSW query, ef_search {ef}", $"{Latency(latency)}, recall@10 {hits / (queries * (double)k):F3}");
}

string pg = await Scalar("SELECT version()");
string vector = await Scalar("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
string settings = $"shared_buffers {await Scalar("SHOW shared_buffers")}, maintenance_work_mem {await Scalar("SHOW maintenance_work_mem")}, " +
                  $"max_parallel_maintenance_workers {await Scalar("SHOW max_parallel_maintenance_workers")}";
string loadAfter = File.ReadAllText("/proc/loadavg").Split(' ')[..3].Aggregate((a, b) => a + " " + b);
var md = new StringBuilder();
md.AppendLine().AppendLine($"## pgvector against the in-process exact index, {items:N0} x {dimension}{(clusters > 0 ? ", clustered" : ", uniform")}, HNSW m {m} / ef_construction {efConstruction} " +
                           $"({started:yyyy-MM-dd HH:mm} UTC, `ITEMS={items} bash bench/pgvector.sh {string.Join(' ', args.SkipWhile(a => a != "--markdown").Skip(2))}`)").AppendLine();
md.AppendLine($"{data}; {queries} queries, k = {k}; latencies per query, one at a time, " +
              $"through `PostgresEmbeddingStore` (a pooled connection, a transaction that sets hnsw.ef_search) and `CosineIndex.Search`. " +
              $"{pg.Split(" on ")[0]}, pgvector {vector}; {settings}. {CpuModel()}, {Environment.ProcessorCount} cores, load average {loadBefore} before, {loadAfter} after.").AppendLine();
md.AppendLine("| measurement | result |").AppendLine("|---|---|");
foreach (var (what, value) in log) md.AppendLine($"| {what} | {value} |");
Console.WriteLine(md);
if (markdown != null) { File.AppendAllText(markdown, md.ToString()); Console.WriteLine($"appended to {markdown}"); }
return 0;

static string Id(int i) => "item-" + i.ToString("D8", CultureInfo.InvariantCulture);

static string Latency(List<double> ms)
{
    var sorted = ms.Order().ToList();
    double P(double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    return $"p50 {P(0.5):F2} ms, p95 {P(0.95):F2} ms";
}

static string CpuModel() => File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

static float[] Clustered(Random random, float[] centres, int rows, int d, double spread)
{
    var noise = RandomUnitRows(random, rows, d);
    int clusters = centres.Length / d;
    var v = new float[(long)rows * d];
    for (int r = 0; r < rows; r++)
    {
        var row = v.AsSpan(r * d, d);
        var centre = centres.AsSpan(random.Next(clusters) * d, d);
        for (int j = 0; j < d; j++) row[j] = centre[j] + (float)spread * noise[r * d + j];
        TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
    }
    return v;
}

static float[] RandomUnitRows(Random random, int rows, int d)
{
    var v = new float[(long)rows * d];
    for (int r = 0; r < rows; r++)
    {
        var row = v.AsSpan(r * d, d);
        for (int j = 0; j < d; j++)   // Gaussian (Box-Muller): uniform directions after normalising
            row[j] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
    }
    return v;
}
