using System.Globalization;
using System.Text;

namespace MlNetSiamese.Bench;

/// <summary>The speed targets of issue #6, computed from the medians of this run.</summary>
public static class Targets
{
    public static IEnumerable<Result> Evaluate(ResultLog log)
    {
        var all = log.All;
        foreach (var ours in all.Where(r => r.Bench == "training" && r.Name.EndsWith(" mlnet-loop")))
        {
            string enc = ours.Name.Split(' ')[0];
            yield return Check($"training loop {enc}: ML.NET / PyTorch eager images/s", ours, log.Find("training", $"{enc} pytorch-eager"), 1.10);
        }
        foreach (var t in all.Where(r => r.Bench == "inference" && r.Name.EndsWith(" mlnet-transform")))
        {
            string prefix = t.Name[..^" mlnet-transform".Length];
            yield return Check($"inference {prefix}: ML.NET Transform / raw TorchSharp forward of the same (folded) network", t, log.Find("inference", $"{prefix} folded-torchsharp"), 0.95);
        }
        foreach (var f in all.Where(r => r.Bench == "inference" && r.Name.EndsWith(" folded-torchsharp")))
        {
            string prefix = f.Name[..^" folded-torchsharp".Length];
            yield return Check($"inference {prefix}: BN-folded TorchSharp (Encoder.ForInference) / PyTorch eager", f, log.Find("inference", $"{prefix} pytorch-eager"), 1.2);
        }
        if (log.Find("onnx", "b64 onnxruntime") is { } ort)
            yield return Check("onnx b64: ONNX Runtime / folded TorchSharp images/s (same model, same threads)", ort, log.Find("onnx", "b64 folded-torchsharp"), 1.0);
        if (all.FirstOrDefault(r => r.Bench == "onnx-latency" && r.Name == "onnxruntime-1") is { } single)
        {
            var limit = new Result { Bench = "onnx-latency", Name = "0.5 ms", Unit = "ms", Median = 0.5, Min = 0.5, Max = 0.5 };
            yield return Check("onnx single-image latency: 0.5 ms / ONNX Runtime p50", limit, single, 1.0);
        }
        var bandwidth = all.FirstOrDefault(r => r.Bench == "bandwidth" && (int)Convert.ToDouble(r.Details["workers"]) == Environment.ProcessorCount);
        foreach (var s in all.Where(r => r.Bench == "search"))
        {
            var gbps = (double[])s.Details["gb_per_s"]!;   // median, min, max
            var eff = new Result { Bench = "search", Name = s.Name + " GB/s", Unit = "GB/s", Median = gbps[0], Min = gbps[1], Max = gbps[2] };
            var bw = bandwidth == null ? null : new Result { Bench = "bandwidth", Name = bandwidth.Name + " (best)", Unit = "GB/s", Median = bandwidth.Max, Min = bandwidth.Max, Max = bandwidth.Max };
            yield return Check($"search {s.Name}: effective GB/s / measured read bandwidth (best, {Environment.ProcessorCount} threads)", eff, bw, 0.60);
        }
    }

    private static Result Check(string name, Result numerator, Result? denominator, double threshold)
    {
        bool measured = denominator != null && denominator.Median > 0 && !double.IsNaN(numerator.Median);
        double ratio = measured ? numerator.Median / denominator!.Median : double.NaN;
        // Spread of the ratio from the extremes of both sides (worst and best case pairing).
        double lo = measured && !double.IsNaN(numerator.Min) && !double.IsNaN(denominator!.Max) ? numerator.Min / denominator.Max : double.NaN;
        double hi = measured && !double.IsNaN(numerator.Max) && !double.IsNaN(denominator!.Min) ? numerator.Max / denominator.Min : double.NaN;
        return new Result
        {
            Bench = "target", Name = name, Unit = "ratio", Median = ratio, Min = lo, Max = hi,
            Details = new()
            {
                ["threshold"] = threshold, ["status"] = !measured ? "NOT MEASURED" : ratio >= threshold ? "MET" : "MISSED",
                ["numerator"] = $"{numerator.Name} {numerator.Median:G4} {numerator.Unit}",
                ["denominator"] = denominator == null ? "(not measured)" : $"{denominator.Name} {denominator.Median:G4} {denominator.Unit}",
            },
        };
    }
}

/// <summary>The Markdown section appended to bench/RESULTS.md.</summary>
public static class Report
{
    static string F(double v, string format = "G4") => double.IsNaN(v) ? "-" : v.ToString(format, CultureInfo.InvariantCulture);
    static string Spread(Result r) => r.Values.Length > 1 ? $"{F(r.Min)} - {F(r.Max)}" : "(1 run)";

    public static string Markdown(ResultLog log)
    {
        var meta = log.All.Last(r => r.Bench == "meta").Details;
        var b = new StringBuilder();
        bool smoke = meta["smoke"] is true;
        b.AppendLine();
        b.AppendLine($"## {meta["date_utc"]} UTC: `{meta["command"]}`{(smoke ? " (SMOKE: tiny sizes, 1 repetition, not a measurement)" : "")}");
        b.AppendLine();
        b.AppendLine($"- machine: {meta["cpu"]}, {meta["cores"]} cores, {meta["ram_gib"]} GiB RAM, {meta["os"]}; load average before {meta["load_before"]}, after {meta["load_after"]}");
        b.AppendLine($"- commit: `{meta["commit"]}`; .NET {meta["dotnet"]}, TorchSharp {meta["torchsharp"]}; libtorch mapped: {string.Join(", ", ((string[])meta["libtorch_mapped"]!).Select(p => $"`{p}`"))}");
        b.AppendLine($"- torch threads: {meta["torch_threads"]} (requested {meta["threads_requested"]}; the peer gets the same); repetitions: {meta["repetitions"]}; harness wall clock {meta["seconds"]} s");
        if (meta.GetValueOrDefault("native_heap") is string heap) b.AppendLine($"- C heap: {heap}");
        if (meta.GetValueOrDefault("invoked_as") is string invoked && invoked.Length > 0) b.AppendLine($"- invoked as: `{invoked}`");
        b.AppendLine($"- harness: `{meta["harness_command_line"]}`");
        var peerCommands = log.All.SelectMany(r => (r.Details.GetValueOrDefault("commands") as string[] ?? []).Append(r.Details.GetValueOrDefault("command") as string));
        foreach (var cmd in peerCommands.Where(c => c != null && c.Contains("peer.py")).Distinct())
            b.AppendLine($"- peer: `{cmd}`");
        b.AppendLine();

        var training = log.All.Where(r => r.Bench == "training").ToList();
        if (training.Count > 0)
        {
            b.AppendLine("### Training loop (3x32x32, P x K = 16 x 4, semi-hard, cosine, margin 0.4, Adam 1e-3, crop 2 + flip)");
            b.AppendLine();
            b.AppendLine("| encoder | side | images/s median | min - max | mean loss / active triplets (last rep) |");
            b.AppendLine("|---|---|---|---|---|");
            foreach (var r in training)
                b.AppendLine($"| {r.Details["encoder"]} | {r.Name.Split(' ')[1]} | {F(r.Median)} | {Spread(r)} | {F(Convert.ToDouble(r.Details.GetValueOrDefault("mean_loss_last_rep") ?? double.NaN), "F3")} / {F(Convert.ToDouble(r.Details.GetValueOrDefault("active_fraction_last_rep") ?? double.NaN), "P0")} |");
            b.AppendLine();
        }

        var inference = log.All.Where(r => r.Bench == "inference").ToList();
        if (inference.Count > 0)
        {
            b.AppendLine($"### Inference ({inference[0].Details["rows"]} rows of 3x32x32, eval mode, no_grad)");
            b.AppendLine();
            b.AppendLine("| encoder | batch | path | images/s median | min - max | vs raw TorchSharp |");
            b.AppendLine("|---|---|---|---|---|---|");
            foreach (var r in inference)
            {
                var parts = r.Name.Split(' ');
                var raw = log.Find("inference", $"{parts[0]} {parts[1]} raw-torchsharp");
                b.AppendLine($"| {parts[0]} | {parts[1][1..]} | {parts[2]} | {F(r.Median)} | {Spread(r)} | {(raw == null ? "-" : F(r.Median / raw.Median, "F2") + "x")} |");
            }
            b.AppendLine();
        }

        var latency = log.All.Where(r => r.Bench == "latency").ToList();
        if (latency.Count > 0)
        {
            b.AppendLine("### Single-item latency");
            b.AppendLine();
            b.AppendLine("| encoder | path | p50 ms | p99 ms | calls |");
            b.AppendLine("|---|---|---|---|---|");
            foreach (var r in latency)
                b.AppendLine($"| {r.Name.Split(' ')[0]} | {r.Name.Split(' ')[1]} | {F(Convert.ToDouble(r.Details["p50_ms"]), "F3")} | {F(Convert.ToDouble(r.Details["p99_ms"]), "F3")} | {r.Details["calls"]} |");
            b.AppendLine();
        }

        var onnx = log.All.Where(r => r.Bench == "onnx").ToList();
        if (onnx.Count > 0)
        {
            b.AppendLine($"### ONNX Runtime against the folded TorchSharp network ({onnx[0].Details["encoder"]}, widths {onnx[0].Details["widths"]}, {onnx[0].Details["threads"]} threads, ONNX Runtime {onnx[0].Details["onnxruntime"]})");
            b.AppendLine();
            b.AppendLine("| batch | path | images/s median | min - max | vs folded TorchSharp |");
            b.AppendLine("|---|---|---|---|---|");
            foreach (var r in onnx)
            {
                var parts = r.Name.Split(' ');
                var torch = log.Find("onnx", $"{parts[0]} folded-torchsharp");
                b.AppendLine($"| {parts[0][1..]} | {parts[1]} | {F(r.Median)} | {Spread(r)} | {(torch == null ? "-" : F(r.Median / torch.Median, "F2") + "x")} |");
            }
            b.AppendLine();
            b.AppendLine("| single image | p50 ms | p99 ms | calls |");
            b.AppendLine("|---|---|---|---|");
            foreach (var r in log.All.Where(r => r.Bench == "onnx-latency"))
                b.AppendLine($"| {r.Name} | {F(Convert.ToDouble(r.Details["p50_ms"]), "F3")} | {F(Convert.ToDouble(r.Details["p99_ms"]), "F3")} | {r.Details["calls"]} |");
            b.AppendLine();
        }

        var bandwidth = log.All.Where(r => r.Bench == "bandwidth").ToList();
        if (bandwidth.Count > 0)
        {
            b.AppendLine("### Memory read bandwidth (SIMD sum, same process)");
            b.AppendLine();
            b.AppendLine("| workers | array | best GB/s | median | min |");
            b.AppendLine("|---|---|---|---|---|");
            foreach (var r in bandwidth)
                b.AppendLine($"| {r.Details["workers"]} | {Convert.ToInt64(r.Details["bytes"]) >> 20} MiB | {F(r.Max)} | {F(r.Median)} | {F(r.Min)} |");
            b.AppendLine();
        }

        var search = log.All.Where(r => r.Bench == "search").ToList();
        if (search.Count > 0)
        {
            b.AppendLine($"### Search (exact top-{search[0].Details["k"]} cosine, CosineIndex, {search[0].Details["queries"]} queries)");
            b.AppendLine();
            b.AppendLine("| gallery | call | queries/s median | min - max | effective GB/s |");
            b.AppendLine("|---|---|---|---|---|");
            foreach (var r in search)
                b.AppendLine($"| {r.Name.Split(' ')[0]} x {r.Details["dimension"]} | {r.Name.Split(' ')[^1]} | {F(r.Median)} | {Spread(r)} | {F(((double[])r.Details["gb_per_s"]!)[0], "F2")} |");
            b.AppendLine();
        }

        var targets = log.All.Where(r => r.Bench == "target").ToList();
        if (targets.Count > 0)
        {
            b.AppendLine("### Targets (ratio of medians; range = worst/best pairing of the repetitions)");
            b.AppendLine();
            b.AppendLine("| target | ratio | range | needed | status |");
            b.AppendLine("|---|---|---|---|---|");
            foreach (var r in targets)
                b.AppendLine($"| {r.Name} | {F(r.Median, "F3")} | {F(r.Min, "F3")} - {F(r.Max, "F3")} | >= {r.Details["threshold"]} | {(smoke ? "(smoke) " : "")}{r.Details["status"]} |");
            b.AppendLine();
        }

        foreach (var p in log.All.Where(r => r.Bench == "peer"))
            b.AppendLine($"- peer {p.Name}");
        foreach (var e in log.All.Where(r => r.Bench == "error"))
            b.AppendLine($"- **error:** {e.Name}");
        return b.ToString();
    }
}
