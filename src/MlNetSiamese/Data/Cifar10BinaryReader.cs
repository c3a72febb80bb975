using MlNetSiamese.Data;

namespace MlNetSiamese;

/// <summary>
/// Reads the official CIFAR-10 binary release (<c>cifar-10-binary.tar.gz</c>, folder <c>cifar-10-batches-bin</c>):
/// <c>data_batch_1.bin</c> ... <c>data_batch_5.bin</c> (train, 10,000 images each), <c>test_batch.bin</c> (test) and
/// <c>batches.meta.txt</c> (class names, one a line).
/// </summary>
/// <remarks>
/// Each record is 3073 bytes: one label byte, then 3072 pixel bytes of a 32x32 RGB image in planar order
/// (1024 red, 1024 green, 1024 blue, each row-major), which is exactly the <c>Features</c> layout of
/// <see cref="InMemoryImageDataView"/>. A file whose length is not a multiple of 3073, an empty file, or a label
/// that is not a class index is an <see cref="InvalidDataException"/> naming the file.
/// </remarks>
public static class Cifar10BinaryReader
{
    /// <summary>Pixel bytes per image: 3 x 32 x 32.</summary>
    public const int ImageBytes = 3 * 32 * 32;

    /// <summary>Bytes per record: one label byte plus <see cref="ImageBytes"/>.</summary>
    public const int RecordLength = 1 + ImageBytes;

    /// <summary>Name of the class-name file of the binary release.</summary>
    public const string MetaFileName = "batches.meta.txt";

    /// <summary>Name of the folder the official archive extracts to.</summary>
    public const string ArchiveFolderName = "cifar-10-batches-bin";

    /// <summary>The CIFAR-10 class names in label order, used when <see cref="MetaFileName"/> is absent.</summary>
    public static IReadOnlyList<string> DefaultClassNames { get; } = new[]
    {
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    };

    /// <summary>The batch file names of a split.</summary>
    /// <param name="split">Train (five files) or test (one file).</param>
    public static IReadOnlyList<string> BatchFileNames(DataSplit split) => split switch
    {
        DataSplit.Train => Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray(),
        DataSplit.Test => new[] { "test_batch.bin" },
        _ => throw new ArgumentOutOfRangeException(nameof(split)),
    };

    /// <summary>Reads class names from a <c>batches.meta.txt</c> file: one name a line, blank lines ignored.</summary>
    /// <param name="metaPath">Path of the file.</param>
    /// <exception cref="InvalidDataException">The file names no class, or a class twice.</exception>
    public static IReadOnlyList<string> ReadClassNames(string metaPath)
    {
        var names = File.ReadAllLines(metaPath).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length == 0)
            throw new InvalidDataException($"CIFAR-10 meta file '{metaPath}' names no class.");
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
            throw new InvalidDataException($"CIFAR-10 meta file '{metaPath}' names class '{duplicate.Key}' twice.");
        return names;
    }

    /// <summary>
    /// Loads one split from a folder holding the batch files, or from its parent holding
    /// <c>cifar-10-batches-bin/</c>. Class names come from <c>batches.meta.txt</c> when present, else
    /// <see cref="DefaultClassNames"/>.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <param name="split">Train (50,000 images) or test (10,000 images).</param>
    /// <returns><c>Label</c> = class name, <c>Features</c> = 3072 floats in 0..1, planar RGB.</returns>
    /// <exception cref="FileNotFoundException">A batch file of the split is missing.</exception>
    /// <exception cref="InvalidDataException">A batch file is malformed.</exception>
    public static InMemoryImageDataView Load(string directory, DataSplit split = DataSplit.Train)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string nested = Path.Combine(directory, ArchiveFolderName);
        if (!File.Exists(Path.Combine(directory, BatchFileNames(split)[0])) && Directory.Exists(nested))
            directory = nested;
        string meta = Path.Combine(directory, MetaFileName);
        var classNames = File.Exists(meta) ? ReadClassNames(meta) : DefaultClassNames;
        return LoadFiles(BatchFileNames(split).Select(f => Path.Combine(directory, f)), classNames);
    }

    /// <summary>Loads the given batch files, in order, into one <see cref="InMemoryImageDataView"/>.</summary>
    /// <param name="batchFiles">Paths of the <c>.bin</c> batch files.</param>
    /// <param name="classNames">Class names indexed by label byte.</param>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is empty, its length is not a multiple of
    /// <see cref="RecordLength"/>, or a label is out of range.</exception>
    public static InMemoryImageDataView LoadFiles(IEnumerable<string> batchFiles, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(batchFiles);
        ArgumentNullException.ThrowIfNull(classNames);
        var files = batchFiles.ToArray();
        long records = 0;
        foreach (var file in files)
        {
            if (!File.Exists(file))
                throw new FileNotFoundException($"CIFAR-10 batch file '{file}' not found.", file);
            long length = new FileInfo(file).Length;
            if (length == 0)
                throw new InvalidDataException($"CIFAR-10 batch file '{file}' is empty.");
            if (length % RecordLength != 0)
                throw new InvalidDataException(
                    $"CIFAR-10 batch file '{file}' is {length} bytes, not a whole number of {RecordLength}-byte records " +
                    $"({length / RecordLength} records and {length % RecordLength} bytes over): truncated or not the binary version.");
            records += length / RecordLength;
        }
        if (records * ImageBytes > Array.MaxLength)
            throw new InvalidDataException($"{records} CIFAR-10 records are too many to hold in one array.");

        var pixels = new byte[records * ImageBytes];
        var labels = new int[records];
        var record = new byte[RecordLength];
        int row = 0;
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            for (int i = 0; stream.ReadAtLeast(record, RecordLength, throwOnEndOfStream: false) == RecordLength; i++, row++)
            {
                if (record[0] >= classNames.Count)
                    throw new InvalidDataException(
                        $"CIFAR-10 batch file '{file}': label {record[0]} of record {i} is out of range (there are {classNames.Count} classes).");
                labels[row] = record[0];
                record.AsSpan(1).CopyTo(pixels.AsSpan(row * ImageBytes, ImageBytes));
            }
        }
        if (row != records)
            throw new InvalidDataException($"CIFAR-10 batch files changed while being read: expected {records} records, read {row}.");
        return new InMemoryImageDataView(pixels, labels, classNames, 3, 32, 32);
    }
}
