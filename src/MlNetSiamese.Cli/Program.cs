using System.CommandLine;
using MlNetSiamese.Cli.Commands;

namespace MlNetSiamese.Cli;

/// <summary>Entry point of <c>mlnet-siamese</c>. <see cref="Run"/> is callable in-process (tests).</summary>
public static class Program
{
    public const int Success = 0, Failed = 1, BadUsage = 2;

    public static int Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (cts.IsCancellationRequested) return; // second Ctrl+C: let the process die
            e.Cancel = true;
            Console.Error.WriteLine("Stopping after the current batch (Ctrl+C again to abort at once)...");
            cts.Cancel();
        };
        return Run(args, null, null, cts.Token);
    }

    /// <summary>Runs the tool with <paramref name="args"/>; returns the exit code (0 success, 1 failed run, 2 bad usage).</summary>
    /// <param name="output">Standard output (null = console). A non-console writer always gets plain line-by-line output.</param>
    /// <param name="error">Error output (null = console error, or <paramref name="output"/> when that is given).</param>
    /// <param name="cancellationToken">Stops training after the current batch; the previous model.zip is kept.</param>
    /// <param name="onProgress">Called on every training progress report (tests use it to cancel mid-run).</param>
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null,
        CancellationToken cancellationToken = default, Action<TrainingProgress>? onProgress = null)
    {
        // Numbers are read and written the same way on every machine: --margin 0.3 is 0.3 under de_DE too.
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        var context = new CliContext(output ?? Console.Out, error ?? output ?? Console.Error,
            plain: output != null || Console.IsOutputRedirected || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")),
            cancellationToken, onProgress);
        var parse = Commands(context).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) context.Error.WriteLine($"error: {e.Message}");
            context.Error.WriteLine("Run 'mlnet-siamese --help' (or 'mlnet-siamese <command> --help') to see the valid commands and options.");
            return BadUsage;
        }
        return parse.Invoke(new InvocationConfiguration
        {
            Output = context.Output, Error = context.Error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null,
        });
    }

    /// <summary>The command tree.</summary>
    public static RootCommand Commands(CliContext context) => new("mlnet-siamese: Siamese / triplet-loss similarity learning with ML.NET (train, evaluate, embed, search, index, compare).")
    {
        TrainCommand.Create(context),
        EvaluateCommand.Create(context),
        EmbedCommand.Create(context),
        SearchCommand.Create(context),
        IndexCommand.Create(context),
        CompareCommand.Create(context),
        ExportCommand.Create(context),
        DataCommandWiring.Create(context),
    };
}
