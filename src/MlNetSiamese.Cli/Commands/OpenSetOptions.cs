using System.CommandLine;
using System.Globalization;
using Microsoft.ML;

namespace MlNetSiamese.Cli.Commands;

/// <summary>
/// Classes a model never saw: train's --holdout-classes / --holdout-fraction keep classes out of training and evaluate
/// on them; evaluate's --classes restricts to a subset and --episodes runs N-way K-shot episodes (issue #22).
/// </summary>
public static class OpenSetOptions
{
    public static string[]? ParseNames(string? text) =>
        text?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The rows of <paramref name="view"/> whose class is (or, with <paramref name="keep"/> false, is not) one of <paramref name="classes"/>.</summary>
    public static InMemoryImageDataView Rows(InMemoryImageDataView view, IReadOnlyCollection<string> classes, bool keep)
    {
        var rows = Enumerable.Range(0, view.Count).Where(i => classes.Contains(view.GetLabel(i)) == keep).ToArray();
        return DataSource.Subset(view, rows);
    }

    /// <summary>The classes named by --classes, each checked against <paramref name="view"/>'s (an unknown one is named, the known listed).</summary>
    public static string[] Known(InMemoryImageDataView view, string[] names, string option)
    {
        var present = Enumerable.Range(0, view.Count).Select(view.GetLabel).Distinct().Order(StringComparer.Ordinal).ToArray();
        foreach (var n in names)
            if (!present.Contains(n, StringComparer.Ordinal))
                throw new UsageException($"{option}: class '{n}' is not in the data; its classes are {string.Join(", ", present)}.");
        return names;
    }

    /// <summary>Few-shot episodes on <paramref name="embedded"/>, printed; null when --episodes is 0.</summary>
    public static FewShotResult? Episodes(MLContext ml, IDataView embedded, int episodes, int ways, int shots, int seed, Output.Ui ui)
    {
        if (episodes == 0) return null;
        if (episodes < 0 || ways < 2 || shots < 1) throw new UsageException($"--episodes must be >= 0, --ways >= 2 and --shots >= 1; got {episodes}, {ways}, {shots}.");
        FewShotResult r;
        try { r = ml.Siamese().EvaluateFewShot(embedded, ways, shots, episodes, seed: seed); }
        catch (ArgumentException e) { throw new UsageException(e.Message.Split(" (Parameter")[0]); }
        string F(double v, double h) => $"{v.ToString("F3", CultureInfo.InvariantCulture)} +- {h.ToString("F3", CultureInfo.InvariantCulture)}";
        ui.Table($"{ways}-way {shots}-shot episodes ({episodes}, seed {seed}; 95% intervals)", ["Query labelled by", "Accuracy"],
        [
            ["nearest support image", F(r.NearestSupportAccuracy, r.NearestSupportHalfWidth95)],
            ["nearest class prototype (mean embedding)", F(r.PrototypeAccuracy, r.PrototypeHalfWidth95)],
        ]);
        return r;
    }
}
