using System.Buffers.Binary;
using Xunit;

namespace MlNetSiamese.Tests.Search;

public sealed class CosineIndexFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cosidx").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string SavedIndex(out CosineIndex index, int n = 50, int dim = 8)
    {
        index = new CosineIndex(dim);
        index.Add(Enumerable.Range(0, n).Select(i => (long)i * 7 - 100).ToArray(), TestData.Gaussian(n, dim, 9));
        string path = Path.Combine(_dir, "items.idx");
        index.Save(path);
        return path;
    }

    [Fact]
    public void RoundTripGivesIdenticalResultsAndLeavesNoTemporaryFile()
    {
        string path = SavedIndex(out var index);
        var loaded = CosineIndex.Load(path);
        Assert.Equal(index.Count, loaded.Count);
        Assert.Equal(index.Dimension, loaded.Dimension);
        Assert.Equal(index.Ids, loaded.Ids);
        var queries = TestData.Gaussian(5, 8, 10);
        Assert.Equal(index.SearchBatch(queries, 6), loaded.SearchBatch(queries, 6));
        Assert.Equal(new[] { path }, Directory.GetFiles(_dir));
        Assert.Equal(32 + 50 * 8 + 50 * 8 * 4, new FileInfo(path).Length);

        // Overwrite in place; the loaded copy is still usable and can grow.
        loaded.Add(1_000, new float[] { 1, 0, 0, 0, 0, 0, 0, 0 });
        loaded.Save(path);
        Assert.Equal(51, CosineIndex.Load(path).Count);
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void EmptyIndexRoundTrips()
    {
        string path = Path.Combine(_dir, "empty.idx");
        new CosineIndex(3).Save(path);
        var loaded = CosineIndex.Load(path);
        Assert.Equal(0, loaded.Count);
        loaded.Add(1, [1, 2, 3]);
        Assert.Equal(1, loaded.Search([1, 2, 3], 1)[0].Id);
    }

    [Theory]
    [InlineData(40)]     // an id byte
    [InlineData(500)]    // a vector byte
    [InlineData(13)]     // the dimension field: sizes then disagree with the file length
    public void FlippedByteIsRefused(int offset)
    {
        string path = SavedIndex(out _);
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => CosineIndex.Load(path));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void ChecksumMismatchIsNamed()
    {
        string path = SavedIndex(out _);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => CosineIndex.Load(path)).Message);
    }

    [Fact]
    public void TruncatedFileIsRefused()
    {
        string path = SavedIndex(out _);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^7]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => CosineIndex.Load(path)).Message);
        File.WriteAllBytes(path, bytes[..20]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => CosineIndex.Load(path)).Message);
        File.WriteAllBytes(path, bytes.Concat(new byte[3]).ToArray());
        Assert.Contains("unexpected bytes", Assert.Throws<InvalidDataException>(() => CosineIndex.Load(path)).Message);
    }

    [Fact]
    public void LyingHeaderIsRefusedBeforeAllocating()
    {
        string path = SavedIndex(out _);
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), 200_000_000); // 200M items of dim 8: ~8 GB
        File.WriteAllBytes(path, bytes);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var ex = Assert.Throws<InvalidDataException>(() => CosineIndex.Load(path));
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 10_000_000);
        Assert.Contains("200000000 items", ex.Message);

        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), -1);
        File.WriteAllBytes(path, bytes);
        Assert.Contains("negative", Assert.Throws<InvalidDataException>(() => CosineIndex.Load(path)).Message);

        // Same lie through a non-seekable stream.
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), 200_000_000);
        using var pipe = new NonSeekable(bytes);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => CosineIndex.Load(pipe, "pipe")).Message);
    }

    [Fact]
    public void WrongMagicOrVersionIsRefused()
    {
        string path = SavedIndex(out _);
        var bytes = File.ReadAllBytes(path);
        var wrongMagic = (byte[])bytes.Clone(); wrongMagic[0] = (byte)'X';
        File.WriteAllBytes(path, wrongMagic);
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => CosineIndex.Load(path)).Message);
        var wrongVersion = (byte[])bytes.Clone(); BinaryPrimitives.WriteUInt32LittleEndian(wrongVersion.AsSpan(8), 2);
        File.WriteAllBytes(path, wrongVersion);
        Assert.Contains("version 2", Assert.Throws<InvalidDataException>(() => CosineIndex.Load(path)).Message);
    }

    [Fact]
    public void StreamRoundTripLeavesFollowingBytesAlone()
    {
        SavedIndex(out var index);
        using var ms = new MemoryStream();
        index.Save(ms);
        ms.WriteByte(0xAB); // e.g. a model file continues after the index
        ms.Position = 0;
        var loaded = CosineIndex.Load(ms, "model");
        Assert.Equal(index.Ids, loaded.Ids);
        Assert.Equal(0xAB, ms.ReadByte());
    }

    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
