using System.Globalization;

namespace MlNetSiamese.PretrainedHeadBench;

/// <summary>The results as a console table and a markdown section of bench/RESULTS.md.</summary>
internal static class Report
{
    public static void Print(IEnumerable<(string Run, Scores Scores)> results)
    {
        foreach (var (run, s) in results) Console.WriteLine($"{Cells(s)} | {run}");
    }

    public static void Append(string path, Args a, int trainCount, int testCount, IEnumerable<(string Run, Scores Scores)> results)
    {
        using var w = File.AppendText(path);
        w.WriteLine();
        w.WriteLine(FormattableString.Invariant($"## {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC: open set with ImageNet features (bash bench/open_set_pretrained.sh; {(a.Data == "fashion" ? "Fashion-MNIST" : "CIFAR-10")}, held out: {string.Join(", ", a.Holdout)})"));
        w.WriteLine();
        w.WriteLine($"Trained on {trainCount} images of the other classes (at most {a.TrainPerClass} per class); evaluated on the {testCount} held-out test images. " +
                    "P@1 / MAP@R / ROC-AUC (balanced pairs, seed 0), then accuracy by nearest support / nearest prototype over 1,000 episodes (seed 0; 95% intervals).");
        w.WriteLine();
        w.WriteLine($"| run | P@1 | MAP@R | ROC-AUC | {a.Ways}-way 1-shot | {a.Ways}-way 5-shot |");
        w.WriteLine("|---|---|---|---|---|---|");
        foreach (var (run, s) in results) w.WriteLine($"| {run} | {Cells(s)} |");
    }

    private static string Cells(Scores s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.Metrics.Retrieval.PrecisionAt1:F3} | {s.Metrics.Retrieval.MapAtR:F3} | {s.Metrics.Pairs?.RocAuc ?? double.NaN:F3} | {Shots(s.OneShot)} | {Shots(s.FiveShot)}");

    private static string Shots(FewShotResult f) => string.Create(CultureInfo.InvariantCulture,
        $"{f.NearestSupportAccuracy:F3} +- {f.NearestSupportHalfWidth95:F3} / {f.PrototypeAccuracy:F3} +- {f.PrototypeHalfWidth95:F3}");
}
