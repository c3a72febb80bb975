using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using MlNetSiamese.Postgres;

// Usage:
//   ServiceLoad fill --store CS --table T --model model.zip --dimension D --count N
//   ServiceLoad run --url http://127.0.0.1:5080 --endpoint embed|search --image query.png --clients 16 --seconds 30 --pid SERVER_PID [--k 10]
var options = Args(args.Skip(1).ToArray());
string Option(string name) => options.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required.");
int Int(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

switch (args.FirstOrDefault())
{
    case "fill": await Fill(); break;
    case "run": await Run(); break;
    default: Console.Error.WriteLine("ServiceLoad fill|run --help: see the comment at the top of Program.cs"); return 2;
}
return 0;

// Synthetic unit vectors written straight through the store under the model's id, then the HNSW index.
async Task Fill()
{
    string model = Option("model");
    string id = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(model)));
    int dimension = Int("dimension", 64), count = Int("count", 100_000);
    await using var store = await PostgresEmbeddingStore.OpenAsync(new PostgresStoreOptions
    {
        ConnectionString = Option("store"), Table = Option("table"), Dimension = dimension, ModelId = id,
    });
    var rng = new Random(1);
    var watch = Stopwatch.StartNew();
    for (int start = 0; start < count; start += 10_000)
    {
        var batch = new List<StoredEmbedding>();
        for (int i = start; i < Math.Min(count, start + 10_000); i++)
        {
            var v = new float[dimension];
            double norm = 0;
            for (int d = 0; d < dimension; d++) { v[d] = (float)(rng.NextDouble() * 2 - 1); norm += v[d] * v[d]; }
            for (int d = 0; d < dimension; d++) v[d] = (float)(v[d] / Math.Sqrt(norm));
            batch.Add(new StoredEmbedding($"synthetic-{i}", v, $"c{i % 10}"));
        }
        await store.UpsertAsync(batch);
    }
    Console.WriteLine($"filled {count:N0} items in {watch.Elapsed.TotalSeconds:F1} s");
    watch.Restart();
    await store.CreateIndexAsync();
    Console.WriteLine($"HNSW index built in {watch.Elapsed.TotalSeconds:F1} s; {await store.CountAsync():N0} items");
}

// N clients post the same image as fast as answers come, for a fixed time; the server's RSS is sampled every 0.5 s.
async Task Run()
{
    string url = Option("url").TrimEnd('/'), endpoint = Option("endpoint");
    byte[] image = File.ReadAllBytes(Option("image"));
    int clients = Int("clients", 16), seconds = Int("seconds", 30), pid = Int("pid", 0), k = Int("k", 10);
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };
    string path = endpoint == "search" ? $"/search?k={k}" : "/embed";
    var latencies = new List<double>[clients];
    int errors = 0;
    string? firstError = null;
    var rss = new List<long>();
    int maxThreads = 0;
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    var sampler = Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            if (pid > 0 && Rss(pid) is long r) lock (rss) rss.Add(r);
            if (pid > 0 && Status(pid, "Threads:") is long t) maxThreads = Math.Max(maxThreads, (int)t);
            try { await Task.Delay(500, stop.Token); } catch (OperationCanceledException) { }
        }
    });
    long rssBefore = pid > 0 ? Rss(pid) ?? 0 : 0;
    var watch = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
    {
        var mine = latencies[c] = new List<double>();
        while (!stop.IsCancellationRequested)
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(image), "image", "query.png" } };
            long t0 = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.PostAsync(url + path, form);
                await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                    firstError ??= $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    continue;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref errors);
                firstError ??= e.Message;
                continue;
            }
            mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
    })).ToArray();
    await Task.WhenAll(workers);
    double elapsed = watch.Elapsed.TotalSeconds;
    await sampler;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    double P(double q) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)];
    long rssMax = rss.Count > 0 ? rss.Max() : 0, rssEnd = rss.Count > 0 ? rss[^1] : 0;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {endpoint} | {clients} | {seconds} | {all.Length:N0} | {all.Length / elapsed:F0} | {P(0.50):F2} | {P(0.95):F2} | {P(0.99):F2} | {errors} | {rssBefore / 1024.0:F0} / {rssMax / 1024.0:F0} / {rssEnd / 1024.0:F0} | {maxThreads} |"));
    if (firstError != null) Console.Error.WriteLine($"first error: {firstError}");
}

// VmRSS of a process in KiB, or null when it has gone.
static long? Rss(int pid) => Status(pid, "VmRSS:");

// A number field of /proc/PID/status (VmRSS: KiB, Threads: count), or null when the process has gone.
static long? Status(int pid, string field)
{
    try
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
    catch (IOException) { }
    return null;
}

static Dictionary<string, string> Args(string[] args)
{
    var map = new Dictionary<string, string>();
    for (int i = 0; i + 1 < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Expected --name value pairs; got '{args[i]}'.");
        map[args[i][2..]] = args[i + 1];
    }
    return map;
}
