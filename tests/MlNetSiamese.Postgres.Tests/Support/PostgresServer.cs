using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Postgres.Tests.Support;

/// <summary>
/// A throw-away PostgreSQL server with pgvector: initdb in a temporary folder, postgres on a free port of 127.0.0.1
/// (trust authentication, no fsync), <c>CREATE EXTENSION vector</c> is left to the store; stopped and deleted on dispose.
/// Run as root (CI), the server runs as the <c>postgres</c> user through <c>runuser</c>, since PostgreSQL refuses root.
/// When PostgreSQL or pgvector is not installed, <see cref="Require"/> makes the tests return early with a notice,
/// except under CI (CI set), where it fails: <c>.ci/install-pgvector.sh</c> installs both there.
/// Shared as a file by the tests of MlNetSiamese.Postgres and of the CLI.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string ServiceUser = "postgres";
    private readonly string? _bin;
    private string? _root;

    private PostgresServer(string? bin, string? missing)
    {
        _bin = bin;
        Missing = missing;
    }

    /// <summary>Why the server could not be started (null when it runs).</summary>
    public string? Missing { get; private set; }

    public int Port { get; private set; }

    /// <summary>Connection string of the server's <c>postgres</c> database as its superuser.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database=postgres;Username=postgres;Timeout=5";

    public static bool IsCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>The binaries of PostgreSQL 15 (or the newest installed), when pgvector is installed for them too.</summary>
    private static (string? Bin, string? Missing) Locate()
    {
        var bins = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => b.Contains("/15/")).ThenByDescending(b => b, StringComparer.Ordinal).ToList()
            : [];
        if (bins.Count == 0) return (null, "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); run .ci/install-pgvector.sh as root");
        string bin = bins[0];
        string version = Path.GetFileName(Path.GetDirectoryName(bin))!;
        string control = $"/usr/share/postgresql/{version}/extension/vector.control";
        if (!File.Exists(control)) return (null, $"pgvector is not installed for PostgreSQL {version} ({control} is missing); run .ci/install-pgvector.sh as root");
        return (bin, null);
    }

    /// <summary>Starts a server, or returns one whose <see cref="Missing"/> says why none could start.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var (bin, missing) = Locate();
        var server = new PostgresServer(bin, missing);
        if (bin != null) await server.StartCoreAsync();
        return server;
    }

    /// <summary>True when the server runs; otherwise writes why and returns false, or fails under CI.</summary>
    public bool Require(ITestOutputHelper output)
    {
        if (Missing == null) return true;
        Assert.False(IsCi, $"CI is set but the test PostgreSQL cannot run: {Missing}");
        output.WriteLine($"skipped: {Missing}");
        return false;
    }

    private static bool IsRoot => Environment.UserName == "root";

    private async Task StartCoreAsync()
    {
        _root = Path.Combine(Path.GetTempPath(), "mlnetsiamese-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_root);
        if (IsRoot && !OperatingSystem.IsWindows()) File.SetUnixFileMode(_root, (UnixFileMode)0x1FF);   // 0777: the postgres user makes data/ and the socket inside
        string data = Path.Combine(_root, "data");
        var init = await RunAsync("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        if (init.Exit != 0)
        {
            Missing = $"initdb failed ({init.Exit}): {init.Output}";
            return;
        }
        for (int attempt = 0; attempt < 3; attempt++)
        {
            Port = FreePort();
            var start = await RunAsync("pg_ctl", ["-D", data, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60", "-o",
                $"-p {Port} -c listen_addresses=127.0.0.1 -k {_root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start"]);
            if (start.Exit == 0) return;
            Missing = $"pg_ctl start failed ({start.Exit}): {start.Output} {ReadLog()}";
        }
    }

    private string ReadLog()
    {
        string log = Path.Combine(_root!, "server.log");
        return File.Exists(log) ? File.ReadAllText(log) : "";
    }

    /// <summary>Stops the server (immediate shutdown); later connections are refused.</summary>
    public async Task StopAsync()
    {
        if (_root == null || Missing != null) return;
        await RunAsync("pg_ctl", ["-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop"]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_root == null) return;
        if (Missing == null) await StopAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _root = null;
    }

    /// <summary>A TCP port of 127.0.0.1 that nothing listens on at the moment.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task<(int Exit, string Output)> RunAsync(string tool, string[] args)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (IsRoot)
        {
            psi.FileName = "runuser";
            foreach (var a in new[] { "-u", ServiceUser, "--", Path.Combine(_bin!, tool) }) psi.ArgumentList.Add(a);
        }
        else psi.FileName = Path.Combine(_bin!, tool);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}

/// <summary>One <see cref="PostgresServer"/> for a test class or collection (xunit's async fixture).</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
