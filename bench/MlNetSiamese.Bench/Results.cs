using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlNetSiamese.Bench;

/// <summary>Median and spread of repeated measurements.</summary>
public sealed record Stats(double Median, double Min, double Max, double[] Values)
{
    public static Stats Of(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0) throw new ArgumentException("No measurements.", nameof(values));
        var s = v.OrderBy(x => x).ToArray();
        double median = s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        return new Stats(median, s[0], s[^1], v);
    }

    /// <summary>Percentile by nearest rank (p in 0..100) of <paramref name="values"/>.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var s = values.OrderBy(x => x).ToArray();
        int rank = (int)Math.Ceiling(p / 100.0 * s.Length);
        return s[Math.Clamp(rank - 1, 0, s.Length - 1)];
    }

    /// <summary>(max - min) / median, as a percentage.</summary>
    public double SpreadPercent => Median == 0 ? double.NaN : 100 * (Max - Min) / Median;
}

/// <summary>One measured number (with its repetitions), one ratio, or one target check. Written as one JSON line.</summary>
public sealed record Result
{
    public required string Bench { get; init; }      // training | inference | latency | search | bandwidth | ratio | target | meta
    public required string Name { get; init; }       // e.g. "ConvNet mlnet-loop"
    public string Unit { get; init; } = "";
    public double Median { get; init; } = double.NaN;
    public double Min { get; init; } = double.NaN;
    public double Max { get; init; } = double.NaN;
    public double[] Values { get; init; } = Array.Empty<double>();
    public Dictionary<string, object?> Details { get; init; } = new();

    public static Result From(string bench, string name, string unit, Stats s, Dictionary<string, object?>? details = null) =>
        new() { Bench = bench, Name = name, Unit = unit, Median = s.Median, Min = s.Min, Max = s.Max, Values = s.Values, Details = details ?? new() };

    static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);
}

/// <summary>Everything one harness invocation measured, in order.</summary>
public sealed class ResultLog
{
    private readonly List<Result> results = new();
    public IReadOnlyList<Result> All => results;

    public void Add(Result r)
    {
        results.Add(r);
        string spread = r.Values.Length > 1 ? $"  (min {r.Min:G4}, max {r.Max:G4}, n={r.Values.Length})" : "";
        Console.WriteLine(double.IsNaN(r.Median) ? $"[{r.Bench}] {r.Name}" : $"[{r.Bench}] {r.Name}: {r.Median:G4} {r.Unit}{spread}");
    }

    public Result? Find(string bench, string name) => results.LastOrDefault(r => r.Bench == bench && r.Name == name);

    public void WriteJsonLines(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllLines(path, results.Select(r => r.ToJsonLine()));
    }
}

/// <summary>Warm-up that outlasts the JIT's tiering (methods are recompiled optimised after 30 calls and a short delay).</summary>
public static class WarmUp
{
    public static void Run(Action<int> call, int minCalls, double minSeconds = 1.0)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < minCalls || System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds < minSeconds; i++) call(i);
    }
}

internal static class JsonNodeExtensions
{
    public static double[] Doubles(this JsonNode? node) => node?.AsArray().Select(x => x!.GetValue<double>()).ToArray() ?? Array.Empty<double>();
}
