using System.Buffers.Binary;
using MlNetSiamese.Data;

namespace MlNetSiamese;

/// <summary>
/// Reads the IDX files of MNIST and Fashion-MNIST (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, ...),
/// gzipped or not (detected from the content, not the name).
/// </summary>
/// <remarks>
/// Format (big-endian): images start with magic <c>0x00000803</c>, image count, rows, columns, then
/// count x rows x columns unsigned bytes; labels start with magic <c>0x00000801</c>, label count, then one byte per
/// label. The reader checks magic numbers, that the data is neither truncated nor followed by extra bytes, that image
/// and label counts agree and that each label is a valid class index; every error is an
/// <see cref="InvalidDataException"/> that names the file.
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned-byte images (3 dimensions).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned-byte labels (1 dimension).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Images read from an IDX file.</summary>
    /// <param name="Count">Number of images.</param>
    /// <param name="Rows">Image height.</param>
    /// <param name="Columns">Image width.</param>
    /// <param name="Pixels">Count x Rows x Columns bytes, image after image, row-major.</param>
    public sealed record ImageSet(int Count, int Rows, int Columns, byte[] Pixels);

    /// <summary>Reads an IDX image file.</summary>
    /// <param name="path">Path of the file, gzipped or not.</param>
    /// <exception cref="InvalidDataException">Wrong magic number, bad dimensions, truncated or trailing data.</exception>
    public static ImageSet ReadImages(string path)
    {
        using var stream = DataFiles.OpenMaybeGzip(path);
        Span<byte> header = stackalloc byte[16];
        ReadHeader(stream, header, path, ImagesMagic, "images");
        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        int rows = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        int columns = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        if (count < 0 || rows <= 0 || columns <= 0)
            throw new InvalidDataException($"IDX image file '{path}' declares {count} images of {rows}x{columns}: invalid dimensions.");
        long total = (long)count * rows * columns;
        if (total > Array.MaxLength)
            throw new InvalidDataException($"IDX image file '{path}' declares {count} images of {rows}x{columns}: too large to load.");
        if (stream is FileStream fs && fs.Length < 16 + total)
            throw Truncated(path, "images", 16 + total, fs.Length);

        var pixels = new byte[total];
        int read = DataFiles.ReadFully(stream, pixels, path);
        if (read < total)
            throw Truncated(path, "images", 16 + total, 16 + read);
        EnsureEnd(stream, path, count, "images");
        return new ImageSet(count, rows, columns, pixels);
    }

    /// <summary>Reads an IDX label file.</summary>
    /// <param name="path">Path of the file, gzipped or not.</param>
    /// <exception cref="InvalidDataException">Wrong magic number, truncated or trailing data.</exception>
    public static byte[] ReadLabels(string path)
    {
        using var stream = DataFiles.OpenMaybeGzip(path);
        Span<byte> header = stackalloc byte[8];
        ReadHeader(stream, header, path, LabelsMagic, "labels");
        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        if (count < 0)
            throw new InvalidDataException($"IDX label file '{path}' declares {count} labels: invalid count.");
        if (stream is FileStream fs && fs.Length < 8L + count)
            throw Truncated(path, "labels", 8L + count, fs.Length);

        var labels = new byte[count];
        int read = DataFiles.ReadFully(stream, labels, path);
        if (read < count)
            throw Truncated(path, "labels", 8L + count, 8L + read);
        EnsureEnd(stream, path, count, "labels");
        return labels;
    }

    /// <summary>
    /// Reads a pair of IDX files into an <see cref="InMemoryImageDataView"/> with a <c>Label</c> column (class name)
    /// and a 1 x rows x columns <c>Features</c> column scaled to 0..1.
    /// </summary>
    /// <param name="imagesPath">The images file (<c>*-images-idx3-ubyte[.gz]</c>).</param>
    /// <param name="labelsPath">The labels file (<c>*-labels-idx1-ubyte[.gz]</c>).</param>
    /// <param name="classNames">Names of the classes, indexed by label byte; every label must be below its count.</param>
    /// <exception cref="InvalidDataException">Any format error, a count mismatch or a label out of range.</exception>
    public static InMemoryImageDataView Load(string imagesPath, string labelsPath, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        var images = ReadImages(imagesPath);
        var labelBytes = ReadLabels(labelsPath);
        if (labelBytes.Length != images.Count)
            throw new InvalidDataException(
                $"'{labelsPath}' holds {labelBytes.Length} labels but '{imagesPath}' holds {images.Count} images.");
        var labels = new int[labelBytes.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labelBytes[i] >= classNames.Count)
                throw new InvalidDataException(
                    $"'{labelsPath}': label {labelBytes[i]} of item {i} is out of range (there are {classNames.Count} classes).");
            labels[i] = labelBytes[i];
        }
        return new InMemoryImageDataView(images.Pixels, labels, classNames, 1, images.Rows, images.Columns);
    }

    private static void ReadHeader(Stream stream, Span<byte> header, string path, int magic, string kind)
    {
        int read = DataFiles.ReadFully(stream, header, path);
        if (read < 4)
            throw Truncated(path, kind, header.Length, read);
        int found = BinaryPrimitives.ReadInt32BigEndian(header);
        if (found != magic)
            throw new InvalidDataException(
                $"'{path}' is not an IDX {kind} file: magic number 0x{found:X8}, expected 0x{magic:X8}.");
        if (read < header.Length)
            throw Truncated(path, kind, header.Length, read);
    }

    private static void EnsureEnd(Stream stream, string path, int count, string kind)
    {
        int next;
        try
        {
            next = stream.ReadByte();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid gzip stream or is corrupted: {e.Message}", e);
        }
        if (next != -1)
            throw new InvalidDataException($"IDX {kind} file '{path}' has extra bytes after its {count} {kind}.");
    }

    private static InvalidDataException Truncated(string path, string kind, long expected, long found)
        => new($"IDX {kind} file '{path}' is truncated: expected {expected} bytes of content, found {found}.");
}
