using Spectre.Console;
using Spectre.Console.Rendering;

namespace MlNetSiamese.Cli.Output;

/// <summary>Tables and messages: Spectre.Console on a terminal, plain text otherwise (CI logs, redirected, in-process).</summary>
public sealed class Ui
{
    private readonly CliContext context;
    private readonly IAnsiConsole console;

    public Ui(CliContext context)
    {
        this.context = context;
        console = context.Plain
            ? AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(context.Output),
            })
            : AnsiConsole.Console;
        if (context.Plain) console.Profile.Width = 120;
    }

    public CliContext Context => context;

    public void Line(string text) => context.Output.WriteLine(text);

    public void Table(string title, IEnumerable<string> headers, IEnumerable<IEnumerable<string>> rows)
    {
        var table = new Table { Title = new TableTitle(title) };
        if (context.Plain) table.Border = TableBorder.Ascii;
        foreach (var h in headers) table.AddColumn(new TableColumn(Markup.Escape(h)));
        foreach (var r in rows) table.AddRow(r.Select(c => (IRenderable)new Text(c)).ToArray());
        console.Write(table);
    }

    public void Metrics(SiameseMetrics m, ThresholdAssessment? atThreshold = null)
    {
        var rows = new List<string[]>
        {
            new[] { "Precision@1", F(m.Retrieval.PrecisionAt1) },
            new[] { "R-Precision", F(m.Retrieval.RPrecision) },
            new[] { "MAP@R", F(m.Retrieval.MapAtR) },
        };
        rows.AddRange(m.Retrieval.RecallAtK.OrderBy(p => p.Key).Select(p => new[] { $"Recall@{p.Key}", F(p.Value) }));
        rows.Add(new[] { $"kNN accuracy (k={m.Retrieval.KnnK})", F(m.Retrieval.KnnAccuracy) });
        if (m.Pairs is { } p)
        {
            rows.Add(new[] { "Pairs (the metrics below)", p.Protocol == PairSampling.Balanced
                ? $"balanced: {p.PositivePairCount:N0} same + {p.NegativePairCount:N0} different, seed {p.Seed}"
                : $"all pairs: {p.PositivePairCount:N0} same + {p.NegativePairCount:N0} different" });
            rows.Add(new[] { "ROC AUC", F(p.RocAuc) });
            rows.Add(new[] { "Equal error rate", F(p.EqualErrorRate) });
            rows.Add(new[] { "Best pair accuracy", $"{F(p.BestAccuracy)} (threshold {p.BestAccuracyThreshold:F3})" });
            rows.Add(new[] { "Best F1", $"{F(p.BestF1)} (threshold {p.BestF1Threshold:F3})" });
            rows.Add(new[] { "Mean similarity same / different", $"{p.PositiveMean:F3} / {p.NegativeMean:F3}" });
        }
        if (atThreshold is { } a)
            rows.Add(new[] { "At the calibrated threshold", $"{a.Threshold:F3}: accuracy {F(a.Accuracy)}, precision {F(a.Precision)}, recall {F(a.Recall)}, F1 {F(a.F1)} " +
                $"(balanced pairs, stated for a share {a.PositiveRate:0.###} of \"same\" pairs)" });
        rows.Add(new[] { "Queries / gallery", $"{m.Retrieval.EvaluatedQueryCount} / {m.Retrieval.GallerySize}" });
        Table("Results", new[] { "Metric", "Value" }, rows);
    }

    /// <summary>Four decimals: one more than the seed-to-seed spread of the pair metrics (about 0.001).</summary>
    public static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture);
}
