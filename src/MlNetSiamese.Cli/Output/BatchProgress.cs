using Spectre.Console;

namespace MlNetSiamese.Cli.Output;

/// <summary>Progress over a known number of items: a Spectre.Console bar on a terminal, one line per step otherwise.</summary>
public static class BatchProgress
{
    /// <summary>Runs <paramref name="body"/>, which reports the items done so far and a short status.</summary>
    public static void Run(CliContext context, string description, int total, Action<Action<int, string>> body)
    {
        if (context.Plain)
        {
            body((done, status) => context.Output.WriteLine($"{description}: {done}/{total} {status}"));
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total));
                body((done, status) =>
                {
                    task.Value = done;
                    task.Description = Markup.Escape($"{description} {done}/{total} {status}");
                });
                task.Value = task.MaxValue;
            });
    }
}
