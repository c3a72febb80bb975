using System.Net;
using System.Net.Sockets;
using Xunit;

namespace MlNetSiamese.Tests.Data;

public class DataCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await DataCommand.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task UnknownCommandPrintsUsage()
    {
        var (code, _, err) = await Run("download", "imagenet");
        Assert.Equal(2, code);
        Assert.Contains("download fashion-mnist", err);
    }

    [Fact]
    public async Task OfflineDownloadFailsWithTheAddressAndAlternatives()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        int port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var (code, _, err) = await Run("download", "fashion-mnist", "--to", _dir.File("f"), "--base-url", $"http://127.0.0.1:{port}");

        Assert.Equal(1, code);
        Assert.Contains($"http://127.0.0.1:{port}/train-images-idx3-ubyte.gz", err);
        Assert.Contains("dataset-fashion-mnist", err);
    }

    [Fact]
    public async Task CifarDownloadReportsAChecksumMismatch()
    {
        using var server = new LocalHttpServer();
        var url = server.Serve("cifar-10-binary.tar.gz", new byte[] { 1, 2, 3 });
        var (code, _, err) = await Run("download", "cifar10", "--to", _dir.File("c"), "--url", url.ToString());
        Assert.Equal(1, code);
        Assert.Contains("Checksum mismatch", err);
        Assert.Empty(Directory.GetFiles(_dir.File("c")));
    }

    [Fact]
    public async Task LocateNamesAMissingPath()
    {
        var (code, _, err) = await Run("locate", "--data", _dir.File("none"));
        Assert.Equal(1, code);
        Assert.Contains(_dir.File("none"), err);
    }
}
