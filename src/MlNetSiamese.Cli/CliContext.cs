namespace MlNetSiamese.Cli;

/// <summary>What every command needs from the host: writers, output style, cancellation, progress hook.</summary>
public sealed class CliContext(TextWriter output, TextWriter error, bool plain, CancellationToken cancellationToken,
    Action<TrainingProgress>? onProgress)
{
    public TextWriter Output { get; } = output;
    public TextWriter Error { get; } = error;
    /// <summary>Line-by-line output (not a terminal, CI set, or an in-process writer).</summary>
    public bool Plain { get; } = plain;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    public Action<TrainingProgress>? OnProgress { get; } = onProgress;

    /// <summary>Runs a command body, mapping exceptions to exit codes and messages that say what to do.</summary>
    public int Guard(string command, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UsageException e)
        {
            Error.WriteLine($"error: {e.Message}");
            return Program.BadUsage;
        }
        catch (OperationCanceledException)
        {
            Error.WriteLine($"{command}: cancelled. Nothing was overwritten (a previous model.zip is kept); run the command again to redo it.");
            return Program.Failed;
        }
        catch (RunException e)
        {
            Error.WriteLine($"error: {e.Message}");
            return Program.Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException
                                    or InvalidOperationException or FormatException or NotSupportedException)
        {
            Error.WriteLine($"error: {command} failed: {e.Message}");
            Error.WriteLine("Check the paths and options (mlnet-siamese " + command + " --help); if the input files are damaged, re-create or re-download them.");
            return Program.Failed;
        }
        catch (Exception e)
        {
            Error.WriteLine($"error: {command} failed unexpectedly: {e.GetType().Name}: {e.Message}");
            Error.WriteLine("Re-run with smaller inputs to narrow it down, and report it with the command line and this message.");
            return Program.Failed;
        }
    }
}

/// <summary>Bad usage (exit code 2): a missing or wrong argument. The message says what to pass instead.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>A failed run (exit code 1) with a message that says what to do.</summary>
public sealed class RunException(string message, Exception? inner = null) : Exception(message, inner);
