using System.Buffers.Binary;
using System.IO.Compression;

namespace MlNetSiamese.Tests.Data;

/// <summary>Writes small IDX files for the tests.</summary>
public static class IdxFiles
{
    public static byte[] Images(int count, int rows, int cols, Func<int, int, byte> pixel, int magic = 0x803)
    {
        var bytes = new byte[16 + count * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        for (int i = 0; i < count; i++)
            for (int p = 0; p < rows * cols; p++)
                bytes[16 + i * rows * cols + p] = pixel(i, p);
        return bytes;
    }

    public static byte[] Labels(byte[] labels, int magic = 0x801, int? declaredCount = null)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), declaredCount ?? labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static string Write(string path, byte[] content, bool gzip)
    {
        if (!gzip)
        {
            File.WriteAllBytes(path, content);
            return path;
        }
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(content);
        return path;
    }
}
