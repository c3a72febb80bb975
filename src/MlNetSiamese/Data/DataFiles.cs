using System.IO.Compression;

namespace MlNetSiamese.Data;

/// <summary>Small file helpers shared by the readers.</summary>
internal static class DataFiles
{
    /// <summary>Opens <paramref name="path"/> for reading, decompressing it when it starts with the gzip magic bytes
    /// (whatever its name).</summary>
    public static Stream OpenMaybeGzip(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            int b0 = file.ReadByte(), b1 = file.ReadByte();
            file.Position = 0;
            if (b0 == 0x1f && b1 == 0x8b)
                return new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes; returns how many were read (fewer only at the end).</summary>
    public static int ReadFully(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid gzip stream or is corrupted: {e.Message}", e);
        }
    }

    /// <summary>Returns the first of <paramref name="names"/> that exists in <paramref name="directory"/>, or null.</summary>
    public static string? FindFirst(string directory, params string[] names)
        => names.Select(n => Path.Combine(directory, n)).FirstOrDefault(File.Exists);
}
