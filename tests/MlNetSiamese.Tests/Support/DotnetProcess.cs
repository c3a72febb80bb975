using System.Diagnostics;

namespace MlNetSiamese.Tests.Support;

/// <summary>Runs <c>dotnet</c> in a child process (another app, a sample, a build) and returns its exit code and output.</summary>
public static class DotnetProcess
{
    /// <summary>The configuration these tests were built in (bin/&lt;configuration&gt;/&lt;tfm&gt;/), for finding sibling outputs.</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;

    /// <summary><c>dotnet args...</c>; stdout and stderr together; killed with its children after <paramref name="timeoutSeconds"/>.</summary>
    public static (int Code, string Output) Run(string? workingDirectory, int timeoutSeconds, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory != null) psi.WorkingDirectory = workingDirectory;
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000)) { p.Kill(true); return (-1, $"timed out after {timeoutSeconds} s: dotnet {string.Join(' ', args)}"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
