using System.Globalization;
using Spectre.Console;

namespace MlNetSiamese.Cli.Output;

/// <summary>Live training progress: a Spectre.Console bar on a terminal, one line per epoch otherwise.</summary>
public static class TrainingView
{
    public static T Run<T>(CliContext context, int epochs, Func<IProgress<TrainingProgress>, T> train)
    {
        if (context.Plain)
        {
            var reporter = new Reporter(p =>
            {
                context.OnProgress?.Invoke(p);
                if (p.EpochCompleted) context.Output.WriteLine(Describe(p) + $"  elapsed {p.Elapsed:hh\\:mm\\:ss}  eta {Eta(p):hh\\:mm\\:ss}");
            });
            return train(reporter);
        }
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: 1);
                var reporter = new Reporter(p =>
                {
                    context.OnProgress?.Invoke(p);
                    double total = (double)p.Epochs * Math.Max(1, p.BatchesPerEpoch);
                    task.Value = Math.Min(1, ((p.Epoch - 1) * (double)Math.Max(1, p.BatchesPerEpoch) + p.Batch) / total);
                    task.Description = Markup.Escape(Describe(p));
                    if (p.EpochCompleted) AnsiConsole.MarkupLine(Markup.Escape(Describe(p)));
                });
                result = train(reporter);
                task.Value = 1;
            });
        return result;
    }

    private static string Describe(TrainingProgress p)
    {
        var s = string.Format(CultureInfo.InvariantCulture, "epoch {0}/{1} batch {2}/{3} loss {4:F4} active {5:P0} lr {6:G3}",
            p.Epoch, p.Epochs, p.Batch, p.BatchesPerEpoch, p.Loss, p.ActiveTripletFraction, p.LearningRate);
        if (!double.IsNaN(p.ValidationPrecisionAt1)) s += string.Format(CultureInfo.InvariantCulture, " val P@1 {0:F4}{1}", p.ValidationPrecisionAt1, p.IsBest ? " *" : "");
        return s;
    }

    private static TimeSpan Eta(TrainingProgress p)
    {
        double done = (p.Epoch - 1) * (double)Math.Max(1, p.BatchesPerEpoch) + p.Batch;
        double total = (double)p.Epochs * Math.Max(1, p.BatchesPerEpoch);
        return done <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(p.Elapsed.TotalSeconds * (total - done) / done);
    }

    /// <summary>Synchronous IProgress (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Reporter(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
