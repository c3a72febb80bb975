using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MlNetSiamese.Bench;

/// <summary>What the numbers were measured on: CPU, cores, RAM, OS, commit, runtimes, and which libtorch is mapped.</summary>
public static class Machine
{
    public static string CpuModel() =>
        ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();

    public static double RamGiB()
    {
        var line = ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:"));
        return line == null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0 / 1024.0;
    }

    public static string Os() =>
        ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME="))?.Split('=', 2)[1].Trim('"') ?? RuntimeInformation.OSDescription;

    /// <summary>1-minute load average at the time of the call (the machine is shared: a busy machine shows here).</summary>
    public static string LoadAverage() => ReadLines("/proc/loadavg").FirstOrDefault() ?? "?";

    /// <summary>Short commit of the working tree, with "-dirty" when tracked files are modified.</summary>
    public static string Commit(string repoRoot)
    {
        string head = Run("git", $"-C \"{repoRoot}\" rev-parse --short HEAD").Trim();
        string dirty = Run("git", $"-C \"{repoRoot}\" status --porcelain --untracked-files=no").Trim();
        return head.Length == 0 ? "unknown" : dirty.Length > 0 ? head + "-dirty" : head;
    }

    /// <summary>Every libtorch*.so mapped into this process (should be TorchSharp's own 2.10 copy, not Debian's 1.13).</summary>
    public static string[] MappedLibtorch() =>
        ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).StartsWith("libtorch", StringComparison.Ordinal))
            .Select(f => f[5]).Distinct().ToArray();

    public static string Run(string file, string args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? output : "";
        }
        catch (System.ComponentModel.Win32Exception) { return ""; }
    }

    private static IEnumerable<string> ReadLines(string path) => File.Exists(path) ? File.ReadLines(path) : Array.Empty<string>();
}
