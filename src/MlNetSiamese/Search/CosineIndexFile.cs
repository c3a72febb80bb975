using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace MlNetSiamese.Search;

/// <summary>
/// The <see cref="CosineIndex"/> file format, version 1 (little-endian):
/// <code>
///  0  8 bytes  magic "MNSCIDX\n"
///  8  uint32   format version (1)
/// 12  int32    dimension (&gt;= 1)
/// 16  int64    item count (&gt;= 0)
/// 24  uint32   CRC-32 (IEEE) of bytes 8..23 followed by the payload
/// 28  uint32   reserved, 0
/// 32  payload: count int64 ids, then count x dimension float32 normalised vectors (row-major)
/// </code>
/// Sizes are checked against the stream length before any payload buffer is allocated.
/// </summary>
internal static class CosineIndexFile
{
    public const uint Version = 1;
    private const int HeaderSize = 32;
    private static ReadOnlySpan<byte> Magic => "MNSCIDX\n"u8;

    public static void Save(CosineIndex index, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                index.Save(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    public static void Write(Stream stream, int dimension, ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], dimension);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], ids.Length);
        byte[] idBytes = ToLittleEndianBytes(ids);
        byte[] vecBytes = ToLittleEndianBytes(vectors);
        uint crc = Crc32.Append(0, header[8..24]);
        crc = Crc32.Append(crc, idBytes);
        crc = Crc32.Append(crc, vecBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], 0);
        stream.Write(header);
        stream.Write(idBytes);
        stream.Write(vecBytes);
    }

    public static CosineIndex Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var index = Read(fs, path);
        if (fs.Position != fs.Length)
            throw Corrupt(path, $"it has {fs.Length - fs.Position} unexpected bytes after the payload");
        return index;
    }

    public static CosineIndex Read(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            // Buffer what is really there, so a lying header cannot make us allocate more than the data.
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        int got = ReadFully(stream, header);
        if (got < HeaderSize)
            throw Corrupt(source, $"it is truncated: {got} bytes, shorter than the {HeaderSize}-byte header");
        if (!header[..8].SequenceEqual(Magic))
            throw Corrupt(source, "it is not a MlNetSiamese cosine index (wrong magic bytes)");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != Version)
            throw Corrupt(source, $"format version {version} is not supported (this library reads version {Version})");
        int dimension = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        long count = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        uint expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
        if (dimension < 1) throw Corrupt(source, $"the header's dimension {dimension} is not positive");
        if (count < 0) throw Corrupt(source, $"the header's item count {count} is negative");
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[28..]) != 0) throw Corrupt(source, "the header's reserved field is not zero");

        // Check the sizes the header claims against what the stream holds before allocating anything.
        long maxItems = Array.MaxLength / Math.Max(8, dimension);
        if (count > maxItems) throw Corrupt(source, $"the header's item count {count} is larger than any index this library can hold");
        long payload = count * 8 + count * dimension * 4L;
        long remaining = stream.Length - stream.Position;
        if (remaining < payload)
            throw Corrupt(source, $"it is truncated: the header promises {count} items of dimension {dimension} ({payload} payload bytes) but only {remaining} bytes follow");

        var ids = new long[count];
        var vectors = new float[count * dimension];
        var idBytes = MemoryMarshal.AsBytes(ids.AsSpan());
        var vecBytes = MemoryMarshal.AsBytes(vectors.AsSpan());
        if (ReadFully(stream, idBytes) < idBytes.Length || ReadFully(stream, vecBytes) < vecBytes.Length)
            throw Corrupt(source, $"it is truncated: the payload of {count} items of dimension {dimension} is incomplete");

        uint crc = Crc32.Append(0, header[8..24]);
        crc = Crc32.Append(crc, idBytes);
        crc = Crc32.Append(crc, vecBytes);
        if (crc != expectedCrc)
            throw Corrupt(source, $"its checksum does not match (stored 0x{expectedCrc:X8}, computed 0x{crc:X8}); the file is corrupted");

        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < ids.Length; i++) ids[i] = BinaryPrimitives.ReverseEndianness(ids[i]);
            var raw = MemoryMarshal.Cast<float, int>(vectors.AsSpan());
            for (int i = 0; i < raw.Length; i++) raw[i] = BinaryPrimitives.ReverseEndianness(raw[i]);
        }
        if (vectors.Length > 0 && !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(vectors))
            throw Corrupt(source, "it contains NaN or infinite vector values");
        try
        {
            return CosineIndex.FromNormalized(dimension, ids, vectors);
        }
        catch (ArgumentException e)
        {
            throw Corrupt(source, e.Message);
        }
    }

    private static InvalidDataException Corrupt(string source, string what) =>
        new($"Cosine index file '{source}' cannot be loaded: {what}.");

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static byte[] ToLittleEndianBytes<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        byte[] bytes = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            for (int i = 0; i < bytes.Length; i += size) bytes.AsSpan(i, size).Reverse();
        }
        return bytes;
    }
}
