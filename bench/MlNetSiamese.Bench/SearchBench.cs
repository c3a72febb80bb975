using System.Diagnostics;
using System.Numerics.Tensors;

namespace MlNetSiamese.Bench;

/// <summary>
/// Item 3 of issue #6: exact top-k cosine search in the library's <see cref="CosineIndex"/> over random L2-normalised
/// embeddings, one query at a time (<c>Search</c>, which splits the gallery over all cores) and all queries at once
/// (<c>SearchBatch</c>, one query per core). Effective GB/s = gallery bytes read per query (n x d x 4) x queries/s.
/// </summary>
public static class SearchBench
{
    public static void Run(Settings s, ResultLog log)
    {
        int d = s.SearchDimension;
        var random = new Random(3);
        var queries = RandomUnitRows(random, s.Queries, d);
        foreach (int n in s.GallerySizes)
        {
            var index = new CosineIndex(d);
            const int chunk = 65_536;
            for (int start = 0; start < n; start += chunk)
            {
                int rows = Math.Min(chunk, n - start);
                var ids = Enumerable.Range(start, rows).Select(i => (long)i).ToArray();
                index.Add(ids, RandomUnitRows(random, rows, d));
            }
            double bytesPerQuery = (double)n * d * sizeof(float);
            var details = new Dictionary<string, object?>
            {
                ["gallery"] = n, ["dimension"] = d, ["k"] = s.TopK, ["queries"] = s.Queries, ["gallery_bytes"] = bytesPerQuery,
                ["cores"] = Environment.ProcessorCount,
            };

            // One query per call; warm-up first (at least --warmup-seconds, so the scan loop runs as tier-1 code).
            WarmUp.Run(q => index.Search(queries.AsSpan(q % s.Queries * d, d), s.TopK), minCalls: 10, s.WarmupSeconds);
            var qps = new List<double>();
            for (int rep = 0; rep < s.Repetitions; rep++)
            {
                long t0 = Stopwatch.GetTimestamp();
                int found = 0;
                for (int q = 0; q < s.Queries; q++) found += index.Search(queries.AsSpan(q * d, d), s.TopK).Length;
                double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                if (found != s.Queries * Math.Min(s.TopK, n)) throw new InvalidOperationException($"Search returned {found} neighbours in all.");
                qps.Add(s.Queries / seconds);
            }
            var st = Stats.Of(qps);
            log.Add(Result.From("search", $"{n} x {d} Search", "queries/s", st, new(details) { ["gb_per_s"] = GBps(st, bytesPerQuery) }));

            WarmUp.Run(_ => index.SearchBatch(queries.AsSpan(0, Math.Min(10, s.Queries) * d), s.TopK), minCalls: 2, s.WarmupSeconds);
            qps.Clear();
            for (int rep = 0; rep < s.Repetitions; rep++)
            {
                long t0 = Stopwatch.GetTimestamp();
                var results = index.SearchBatch(queries, s.TopK);
                double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                if (results.Length != s.Queries) throw new InvalidOperationException("SearchBatch returned the wrong number of results.");
                qps.Add(s.Queries / seconds);
            }
            st = Stats.Of(qps);
            log.Add(Result.From("search", $"{n} x {d} SearchBatch", "queries/s", st, new(details) { ["gb_per_s"] = GBps(st, bytesPerQuery) }));
        }
    }

    /// <summary>Median, min and max in GB/s (10^9 bytes) from queries/s.</summary>
    private static double[] GBps(Stats qps, double bytesPerQuery) => [qps.Median * bytesPerQuery / 1e9, qps.Min * bytesPerQuery / 1e9, qps.Max * bytesPerQuery / 1e9];

    private static float[] RandomUnitRows(Random random, int rows, int d)
    {
        var v = new float[(long)rows * d];
        for (int r = 0; r < rows; r++)
        {
            var row = v.AsSpan(r * d, d);
            for (int j = 0; j < d; j++)   // Gaussian (Box-Muller): uniform directions on the sphere after normalising
                row[j] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            float norm = TensorPrimitives.Norm(row);
            TensorPrimitives.Divide(row, norm, row);
        }
        return v;
    }
}

/// <summary>
/// Memory read bandwidth of this machine, measured in the same process: a SIMD sum (TensorPrimitives.Sum) over a
/// large float array split into one contiguous part per worker, best of several passes. Run with as many workers as
/// CosineIndex.Search uses (Parallel.For on the default pool = all cores) and with one.
/// </summary>
public static class BandwidthBench
{
    public static void Run(Settings s, ResultLog log)
    {
        long count = s.BandwidthBytes / sizeof(float);
        var data = new float[count];
        Array.Fill(data, 1f);   // touches every page, so the passes read resident memory
        foreach (int workers in new[] { Environment.ProcessorCount, 1 }.Distinct())
        {
            var gbps = new List<double>();
            int passes = Math.Max(3, s.Repetitions);
            for (int pass = 0; pass < passes + 1; pass++)
            {
                var partial = new double[workers];
                long t0 = Stopwatch.GetTimestamp();
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
                {
                    long from = count * w / workers, to = count * (w + 1) / workers;
                    double sum = 0;
                    for (long start = from; start < to; start += 1 << 24)
                        sum += TensorPrimitives.Sum(new ReadOnlySpan<float>(data, (int)start, (int)Math.Min(1 << 24, to - start)));
                    partial[w] = sum;
                });
                double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                if (Math.Abs(partial.Sum() - count) > count * 1e-3) throw new InvalidOperationException($"Bandwidth sum {partial.Sum()} != {count}.");
                if (pass > 0) gbps.Add(s.BandwidthBytes / seconds / 1e9);   // pass 0 is the warm-up
            }
            var st = Stats.Of(gbps);
            log.Add(new Result
            {
                Bench = "bandwidth", Name = $"read {workers} thread{(workers == 1 ? "" : "s")}", Unit = "GB/s", Median = st.Median, Min = st.Min, Max = st.Max, Values = st.Values,
                Details = new() { ["best_gb_per_s"] = st.Max, ["bytes"] = s.BandwidthBytes, ["workers"] = workers, ["passes"] = gbps.Count },
            });
        }
    }
}
