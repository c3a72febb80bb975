using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MlNetSiamese.Bench;

/// <summary>
/// Runs the PyTorch peer (bench/peers/peer.py, Debian's python3-torch) as a child process, back to back with our own
/// measurement on the same machine, with the same thread count. The peer prints progress to stderr and one JSON
/// object as the last line of stdout.
/// </summary>
public static class Peer
{
    public static JsonObject? Run(Settings s, ResultLog log, string command, string arguments)
    {
        string args = $"\"{s.PeerScript}\" {command} --threads {s.Threads} {arguments}";
        string commandLine = $"{s.Python} {args}";
        Console.WriteLine($"  peer: {commandLine}");
        var info = new ProcessStartInfo(s.Python, args) { RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false };
        // The peer sets torch.set_num_threads itself; these keep OpenMP/MKL from starting more threads on their own.
        info.Environment["OMP_NUM_THREADS"] = s.Threads.ToString();
        info.Environment["MKL_NUM_THREADS"] = s.Threads.ToString();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {s.Python}.");
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            log.Add(new Result { Bench = "error", Name = $"peer {command} failed with exit code {process.ExitCode}", Details = new() { ["command"] = commandLine } });
            return null;
        }
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
                   ?? throw new InvalidOperationException($"The peer printed nothing: {commandLine}");
        var json = JsonNode.Parse(last)!.AsObject();
        json["command"] = commandLine;
        if (json["build"] is JsonObject build && !log.All.Any(r => r.Bench == "peer" && r.Name.StartsWith("build:")))
            log.Add(new Result
            {
                Bench = "peer",
                Name = $"build: torch {json["torch"]}, BLAS_INFO={build["blas_info"]}, MKL {build["mkl"]}, oneDNN {build["mkldnn"]}, {build["parallel"]}; " +
                       $"mapped: {string.Join(", ", build["mapped"]!.AsArray().Select(x => (string?)x))}",
            });
        return json;
    }
}
