using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Xunit;

namespace MlNetSiamese.Tests.Data;

public class DataDownloaderTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly LocalHttpServer _server = new();

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }

    private static string Md5(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));

    private static byte[] Gzip(byte[] content)
    {
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(content);
        return memory.ToArray();
    }

    private static byte[] Payload(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 31 + 7)).ToArray();

    private string Dest => _dir.File("data");

    [Fact]
    public async Task DownloadsFashionMnistFromAManifestAndSkipsVerifiedFiles()
    {
        var files = new Dictionary<string, byte[]>
        {
            ["train-images-idx3-ubyte.gz"] = Gzip(IdxFiles.Images(3, 28, 28, (i, p) => (byte)i)),
            ["train-labels-idx1-ubyte.gz"] = Gzip(IdxFiles.Labels(new byte[] { 9, 0, 0 })),
            ["t10k-images-idx3-ubyte.gz"] = Gzip(IdxFiles.Images(2, 28, 28, (i, p) => 1)),
            ["t10k-labels-idx1-ubyte.gz"] = Gzip(IdxFiles.Labels(new byte[] { 9, 2 })),
        };
        var manifest = files.Select(f => new DownloadItem(f.Key, _server.Serve(f.Key, f.Value), Md5: Md5(f.Value))).ToList();
        using var downloader = new DataDownloader();

        string folder = await downloader.DownloadFashionMnistAsync(Dest, manifest);

        Assert.Equal(new[] { "Ankle boot", "T-shirt/top", "T-shirt/top" }, Rows.Read(FashionMnist.Load(folder)).Select(r => r.Label));
        Assert.Empty(Directory.GetFiles(Dest, "*.partial"));
        int requests = _server.Requests.Count;
        Assert.Equal(4, requests);
        await downloader.DownloadFashionMnistAsync(Dest, manifest);
        Assert.Equal(requests, _server.Requests.Count);
    }

    [Fact]
    public async Task CorruptedFileFailsTheChecksumAndLeavesNothing()
    {
        var good = Payload(5000);
        var bad = good.ToArray();
        bad[1234] ^= 1;
        var item = new DownloadItem("x.gz", _server.Serve("x.gz", bad), Md5: Md5(good));
        using var downloader = new DataDownloader();

        var e = await Assert.ThrowsAsync<DataDownloadException>(() => downloader.DownloadAsync(item, Dest));

        Assert.Contains("Checksum mismatch", e.Message);
        Assert.Contains(item.Url.ToString(), e.Message);
        Assert.Empty(Directory.GetFiles(Dest));
    }

    [Fact]
    public async Task Sha256IsCheckedToo()
    {
        var good = Payload(100);
        var item = new DownloadItem("y.bin", _server.Serve("y.bin", good), Sha256: Convert.ToHexString(SHA256.HashData(good)));
        using var downloader = new DataDownloader();
        string path = await downloader.DownloadAsync(item, Dest);
        Assert.Equal(good, File.ReadAllBytes(path));

        var wrong = item with { FileName = "z.bin", Sha256 = new string('0', 64) };
        await Assert.ThrowsAsync<DataDownloadException>(() => downloader.DownloadAsync(wrong, Dest));
        Assert.False(File.Exists(Path.Combine(Dest, "z.bin")));
        await Assert.ThrowsAsync<ArgumentException>(() => downloader.DownloadAsync(item with { Sha256 = null }, Dest));
    }

    [Fact]
    public async Task TruncatedArchiveWithHonestLengthFailsTheChecksumAndLeavesNothing()
    {
        var good = Payload(5000);
        var item = new DownloadItem("t.tar.gz", _server.Serve("t.tar.gz", good[..3000]), Md5: Md5(good));
        using var downloader = new DataDownloader();
        await Assert.ThrowsAsync<DataDownloadException>(() => downloader.DownloadAsync(item, Dest));
        Assert.Empty(Directory.GetFiles(Dest));
    }

    [Fact]
    public async Task InterruptedTransferKeepsThePartialAndResumes()
    {
        var good = Payload(200_000);
        var item = new DownloadItem("big.gz", _server.Serve("big.gz", good, cutAfter: 70_000), Md5: Md5(good));
        using var downloader = new DataDownloader();
        string final = Path.Combine(Dest, "big.gz");

        var e = await Assert.ThrowsAsync<DataDownloadException>(() => downloader.DownloadAsync(item, Dest));
        Assert.Contains("interrupted", e.Message);
        Assert.False(File.Exists(final));
        long kept = new FileInfo(final + ".partial").Length;
        Assert.InRange(kept, 1, 70_000);

        _server.Serve("big.gz", good);
        await downloader.DownloadAsync(item, Dest);

        Assert.Equal(good, File.ReadAllBytes(final));
        Assert.False(File.Exists(final + ".partial"));
        Assert.Contains(_server.Requests, r => r.Contains($"Range: bytes={kept}-"));
    }

    [Fact]
    public async Task ServerIgnoringRangesRestartsCleanly()
    {
        var good = Payload(10_000);
        var item = new DownloadItem("r.bin", _server.Serve("r.bin", good, honourRange: false), Md5: Md5(good));
        File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(Dest).FullName, "r.bin.partial"), good[..4000]);
        using var downloader = new DataDownloader();
        await downloader.DownloadAsync(item, Dest);
        Assert.Equal(good, File.ReadAllBytes(Path.Combine(Dest, "r.bin")));
    }

    [Fact]
    public async Task GarbagePartialIsDiscardedAfterAFailedResume()
    {
        var good = Payload(10_000);
        var item = new DownloadItem("g.bin", _server.Serve("g.bin", good), Md5: Md5(good));
        File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(Dest).FullName, "g.bin.partial"), new byte[4000]);
        var log = new List<string>();
        using var downloader = new DataDownloader { Log = log.Add };
        await downloader.DownloadAsync(item, Dest);
        Assert.Equal(good, File.ReadAllBytes(Path.Combine(Dest, "g.bin")));
        Assert.Contains(log, l => l.Contains("restarting"));
    }

    [Fact]
    public async Task OfflineFailsFastNamingTheAddressAndTheAlternatives()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        int port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var manifest = DataManifests.FashionMnist(new Uri($"http://127.0.0.1:{port}/"));
        using var downloader = new DataDownloader();
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<DataDownloadException>(() => downloader.DownloadFashionMnistAsync(Dest, manifest));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains($"http://127.0.0.1:{port}/train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("dataset-fashion-mnist", e.Message);
        Assert.Contains("--data", e.Message);
        Assert.False(File.Exists(Path.Combine(Dest, "train-images-idx3-ubyte.gz")));
    }

    [Fact]
    public async Task HttpErrorIsReported()
    {
        var item = new DownloadItem("missing.bin", new Uri(_server.BaseUrl, "missing.bin"), Md5: Md5(Payload(1)));
        using var downloader = new DataDownloader();
        var e = await Assert.ThrowsAsync<DataDownloadException>(() => downloader.DownloadAsync(item, Dest));
        Assert.Contains("404", e.Message);
    }

    private static byte[] CifarTarGz(bool complete)
    {
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Pax))
        {
            void Add(string name, byte[] data)
                => tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "cifar-10-batches-bin/"));
            var names = Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").Append("test_batch.bin").ToList();
            if (!complete)
                names.RemoveAt(2);
            foreach (var name in names)
            {
                var record = new byte[3073];
                record[0] = (byte)names.IndexOf(name);
                record[1] = 200;
                Add("cifar-10-batches-bin/" + name, record);
            }
            Add("cifar-10-batches-bin/batches.meta.txt", System.Text.Encoding.ASCII.GetBytes(string.Join("\n", Cifar10BinaryReader.DefaultClassNames) + "\n\n"));
            Add("cifar-10-batches-bin/readme.html", new byte[] { 1 });
            Add("../data_batch_1.bin", new byte[] { 9 });
        }
        return memory.ToArray();
    }

    [Fact]
    public async Task DownloadsVerifiesAndExtractsCifar10Binary()
    {
        var archive = CifarTarGz(complete: true);
        var item = DataManifests.Cifar10Binary(_server.Serve("cifar-10-binary.tar.gz", archive)) with { Md5 = Md5(archive) };
        using var downloader = new DataDownloader();

        string folder = await downloader.DownloadCifar10BinaryAsync(Dest, item);

        Assert.Equal(Path.Combine(Dest, "cifar-10-batches-bin"), folder);
        Assert.Equal(7, Directory.GetFiles(folder).Length);
        Assert.False(File.Exists(Path.Combine(Dest, "cifar-10-binary.tar.gz")));
        Assert.False(File.Exists(Path.Combine(_dir.Path, "data_batch_1.bin")));
        var train = Cifar10BinaryReader.Load(Dest, DataSplit.Train);
        Assert.Equal(5, train.Count);
        Assert.Equal("airplane", train.GetLabel(0));
        Assert.Equal("dog", Cifar10BinaryReader.Load(folder, DataSplit.Test).GetLabel(0));
        Assert.Equal(200 * (1f / 255f), Rows.Read(train)[0].Features[0]);
    }

    [Fact]
    public async Task IncompleteCifarArchiveIsRejectedAndNothingIsExtracted()
    {
        var archive = CifarTarGz(complete: false);
        var item = DataManifests.Cifar10Binary(_server.Serve("cifar-10-binary.tar.gz", archive)) with { Md5 = Md5(archive) };
        using var downloader = new DataDownloader();

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => downloader.DownloadCifar10BinaryAsync(Dest, item));

        Assert.Contains("data_batch_3.bin", e.Message);
        Assert.False(Directory.Exists(Path.Combine(Dest, "cifar-10-batches-bin")));
        Assert.Empty(Directory.GetDirectories(Dest));
    }

    [Fact]
    public void OfficialManifestsCarryThePublishedChecksums()
    {
        var fashion = DataManifests.FashionMnist();
        Assert.Equal("8d4fb7e6c68d591d4c3dfef9ec88bf0d", fashion.Single(i => i.FileName == "train-images-idx3-ubyte.gz").Md5);
        Assert.Equal("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz",
            fashion.Single(i => i.FileName == "t10k-labels-idx1-ubyte.gz").Url.ToString());
        Assert.Equal("c32a1d4ab5d03f1284b67883e8d87530", DataManifests.Cifar10Binary().Md5);
    }
}
