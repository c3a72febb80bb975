using System.Diagnostics;
using System.Globalization;
using TorchSharp;

namespace MlNetSiamese.Bench;

/// <summary>
/// Speed harness of issue #6. Usage (see bench/README.md):
///   MlNetSiamese.Bench &lt;training|inference|onnx|search|bandwidth|all&gt; [--smoke] [--threads N] [--reps N] [--out results.jsonl]
///                      [--markdown RESULTS.md] [--encoders ConvNet,ResNet,FastConvNet] [--no-peer] [--python /usr/bin/python3]
///                      [--train-batches N] [--warmup-batches N] [--rows N] [--queries N] [--galleries 100000,1000000]
/// </summary>
public static class Program
{
    public const string Usage =
        "usage: MlNetSiamese.Bench <training|inference|onnx|search|bandwidth|all> [--smoke] [--threads N] [--reps N] [--out FILE.jsonl] " +
        "[--markdown FILE.md] [--encoders ConvNet,ResNet,FastConvNet] [--no-peer] [--python PATH] [--train-batches N] [--warmup-batches N] " +
        "[--rows N] [--batch-sizes 64,256] [--latency-calls N] [--queries N] [--galleries N,N] [--bandwidth-mib N] [--warmup-seconds S]";

    public static int Main(string[] args)
    {
        try { return Run(args); }
        catch (UsageError e) { Console.Error.WriteLine($"error: {e.Message}\n{Usage}"); return 2; }
    }

    /// <summary>Runs the harness in-process; returns the exit code. <paramref name="log"/> receives the results (tests).</summary>
    public static int Run(string[] args, ResultLog? log = null)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (args.Length == 0 || args[0] is "-h" or "--help") { Console.WriteLine(Usage); return args.Length == 0 ? 2 : 0; }
        string command = args[0];
        if (command is not ("training" or "inference" or "onnx" or "search" or "bandwidth" or "all")) throw new UsageError($"unknown command '{command}'");

        var s = new Settings();
        string? outFile = null, markdown = null;
        bool smoke = args.Contains("--smoke");
        if (smoke) s = Settings.ForSmoke(s);
        for (int i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new UsageError($"{args[i]} needs a value");
            int NextInt() => int.TryParse(Next(), out int v) && v > 0 ? v : throw new UsageError($"{args[i - 1]} needs a positive integer");
            switch (args[i])
            {
                case "--smoke": break;
                case "--threads": s = s with { Threads = NextInt() }; break;
                case "--reps": s = s with { Repetitions = NextInt() }; break;
                case "--out": outFile = Next(); break;
                case "--markdown": markdown = Next(); break;
                case "--encoders": s = s with { Encoders = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) }; break;
                case "--no-peer": s = s with { RunPeer = false }; break;
                case "--python": s = s with { Python = Next() }; break;
                case "--train-batches": s = s with { TrainBatches = NextInt() }; break;
                case "--warmup-batches": s = s with { TrainWarmupBatches = NextInt() }; break;
                case "--rows": s = s with { InferenceRows = NextInt() }; break;
                case "--queries": s = s with { Queries = NextInt() }; break;
                case "--latency-calls": s = s with { LatencyCalls = NextInt() }; break;
                case "--galleries": s = s with { GallerySizes = Next().Split(',').Select(x => int.TryParse(x, out int v) && v > 0 ? v : throw new UsageError("--galleries needs positive integers")).ToArray() }; break;
                case "--batch-sizes": s = s with { InferenceBatchSizes = Next().Split(',').Select(x => int.TryParse(x, out int v) && v > 0 ? v : throw new UsageError("--batch-sizes needs positive integers")).ToArray() }; break;
                case "--warmup-seconds": s = s with { WarmupSeconds = double.TryParse(Next(), CultureInfo.InvariantCulture, out double w) && w >= 0 ? w : throw new UsageError("--warmup-seconds needs a number >= 0") }; break;
                case "--bandwidth-mib": s = s with { BandwidthBytes = (long)NextInt() << 20 }; break;
                default: throw new UsageError($"unknown option '{args[i]}'");
            }
        }
        foreach (var e in s.Encoders)
            if (e is not ("ConvNet" or "ResNet" or "FastConvNet")) throw new UsageError($"--encoders takes ConvNet, ResNet and/or FastConvNet, not '{e}'");

        string root = RepoRoot();
        s = s with { PeerScript = Path.Combine(root, "bench", "peers", "peer.py") };
        if (s.RunPeer && !File.Exists(s.Python)) throw new UsageError($"{s.Python} not found (install python3-torch, or pass --python or --no-peer)");

        torch.set_num_threads(s.Threads);
        log ??= new ResultLog();
        string loadBefore = Machine.LoadAverage();
        var clock = Stopwatch.StartNew();
        var started = DateTime.UtcNow;
        Console.WriteLine($"MlNetSiamese.Bench {command}{(s.Smoke ? " (smoke: tiny sizes, 1 repetition; not a measurement)" : "")}, " +
                          $"torch threads {torch.get_num_threads()}, cores {Environment.ProcessorCount}, load {loadBefore}");

        if (s.RunPeer)
        {
            // The peer checks its vectorised miner and augmentation against literal ports of the C# loops first.
            var check = Peer.Run(s, log, "selftest", $"--trials {(s.Smoke ? 30 : 200)}");
            if (check != null)
                log.Add(new Result { Bench = "peer", Name = $"selftest {check["selftest"]}: {check["triplets_checked"]} mined triplets equal to the C# miner's loop", Details = new() { ["command"] = check["command"]?.GetValue<string>() } });
        }
        void Section(string name, Action<Settings, ResultLog> run)
        {
            long t0 = Stopwatch.GetTimestamp();
            run(s, log);
            Console.WriteLine($"  ({name}: {Stopwatch.GetElapsedTime(t0).TotalSeconds:F0} s, load {Machine.LoadAverage()})");
        }
        if (command is "training" or "all") Section("training", TrainingBench.Run);
        if (command is "inference" or "all") Section("inference", InferenceBench.Run);
        if (command is "onnx" or "all") Section("onnx", OnnxBench.Run);
        if (command is "bandwidth" or "search" or "all") Section("bandwidth", BandwidthBench.Run);
        if (command is "search" or "all") Section("search", SearchBench.Run);

        var meta = new Result
        {
            Bench = "meta", Name = "run",
            Details = new()
            {
                ["date_utc"] = started.ToString("yyyy-MM-dd HH:mm:ss"), ["command"] = command, ["smoke"] = s.Smoke,
                ["harness_command_line"] = (Environment.CommandLine.Split(' ')[0].EndsWith(".dll") ? "dotnet " : "") + Environment.CommandLine, ["invoked_as"] = Environment.GetEnvironmentVariable("MLNETSIAMESE_BENCH_INVOCATION"), ["commit"] = Machine.Commit(root),
                ["cpu"] = Machine.CpuModel(), ["cores"] = Environment.ProcessorCount, ["ram_gib"] = Math.Round(Machine.RamGiB(), 1), ["os"] = Machine.Os(),
                ["dotnet"] = Environment.Version.ToString(), ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(),
                ["libtorch_mapped"] = Machine.MappedLibtorch(), ["torch_threads"] = torch.get_num_threads(), ["threads_requested"] = s.Threads,
                ["repetitions"] = s.Repetitions, ["load_before"] = loadBefore, ["load_after"] = Machine.LoadAverage(),
                ["native_heap"] = NativeHeapState(),
                ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            },
        };
        log.Add(meta);
        var foreign = Machine.MappedLibtorch().Where(p => !p.StartsWith(AppContext.BaseDirectory, StringComparison.Ordinal)).ToArray();
        if (foreign.Length > 0) log.Add(new Result { Bench = "error", Name = $"a libtorch outside TorchSharp's own folder is mapped: {string.Join(", ", foreign)}" });
        foreach (var check in Targets.Evaluate(log).ToList()) log.Add(check);
        if (outFile != null) log.WriteJsonLines(outFile);
        if (markdown != null)
        {
            File.AppendAllText(markdown, Report.Markdown(log));
            Console.WriteLine($"appended to {markdown}");
        }
        return log.All.Any(r => r.Bench == "error") ? 1 : 0;
    }

    /// <summary>The folder with MlNetSiamese.sln above the running assembly (or the current directory).</summary>
    public static string RepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MlNetSiamese.sln"))) return dir.FullName;
        return Environment.CurrentDirectory;
    }

    /// <summary>How the C heap that libtorch allocates from is set up for this run (see MlNetSiamese's NativeHeap).</summary>
    private static string NativeHeapState()
    {
        var env = MlNetSiamese.Torch.NativeHeap.GlibcVariables
            .Where(v => Environment.GetEnvironmentVariable(v) != null).Select(v => $"{v}={Environment.GetEnvironmentVariable(v)}").ToArray();
        if (MlNetSiamese.Torch.NativeHeap.Configure()) return "MlNetSiamese's mallopt (mmap threshold 32 MiB, trim threshold 256 MiB); the peer: glibc defaults";
        return env.Length > 0 ? $"from the environment for both sides: {string.Join(" ", env)}" : "glibc defaults on both sides";
    }
}

public sealed class UsageError(string message) : Exception(message);
