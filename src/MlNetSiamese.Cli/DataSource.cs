using Microsoft.ML;

namespace MlNetSiamese.Cli;

/// <summary>Image shape (channels x height x width) an image folder is decoded to.</summary>
public sealed record ImageShape(int Channels, int Height, int Width)
{
    public bool Grayscale => Channels == 1;
    public static ImageShape Of(EncoderConfig config) => new(config.Channels, config.Height, config.Width);
}

/// <summary>Resolves <c>--data DIR</c>: Fashion-MNIST idx files, CIFAR-10 binary batches, or an image folder.</summary>
public static class DataSource
{
    public const string DataHelp =
        "Folder with idx files (train-images-idx3-ubyte[.gz] ...), CIFAR-10 binary batches (data_batch_1.bin ...), " +
        "or an image folder (train/ and test/ with one sub-folder per class, or just class folders, split by --seed). " +
        "Default: Fashion-MNIST from MLNETSIAMESE_DATA, ./data/fashion-mnist or /usr/share/datasets/fashion-mnist.";

    /// <summary>Test share of a single class-folder tree (split by seed).</summary>
    public const double TestFraction = 0.2;

    public enum Kind { Idx, Cifar10, ImageFolderSplit, ImageFolderSingle }

    /// <summary>The idx or CIFAR-10 binary data set in <paramref name="dir"/>, or null (for example a folder of photos).</summary>
    public static Kind? DataSetIn(string dir) =>
        FashionMnist.IsPresentIn(dir) || FashionMnist.IsPresentIn(Path.Combine(dir, DefaultData.FashionMnistFolderName)) ? Kind.Idx
        : File.Exists(Path.Combine(dir, Cifar10BinaryReader.BatchFileNames(DataSplit.Train)[0])) ||
          File.Exists(Path.Combine(dir, Cifar10BinaryReader.ArchiveFolderName, Cifar10BinaryReader.BatchFileNames(DataSplit.Train)[0])) ? Kind.Cifar10
        : null;

    public static Kind Detect(string dir)
    {
        if (File.Exists(dir))
            throw new UsageException($"Data '{dir}' is a file; --data takes a folder ({DataHelp})");
        if (!Directory.Exists(dir))
            throw new UsageException($"Data folder '{dir}' does not exist. Pass --data with an existing folder ({DataHelp}), " +
                                     "or leave --data out and get Fashion-MNIST with 'mlnet-siamese data download fashion-mnist'.");
        if (DataSetIn(dir) is { } dataSet) return dataSet;
        if (Directory.Exists(Path.Combine(dir, "train")) && Directory.Exists(Path.Combine(dir, "test"))) return Kind.ImageFolderSplit;
        if (Directory.Exists(Path.Combine(dir, "train")) || Directory.Exists(Path.Combine(dir, "test")))
            throw new UsageException($"Data folder '{dir}' has {(Directory.Exists(Path.Combine(dir, "train")) ? "train/ but no test/" : "test/ but no train/")}: " +
                                     "give it both (with the same class folders), or put the class folders directly in it to split them 80/20 by seed.");
        if (Directory.EnumerateDirectories(dir).Any(d => Directory.EnumerateFiles(d).Any(ImageFolder.IsImageFile))) return Kind.ImageFolderSingle;
        throw new UsageException($"Data folder '{dir}' holds no known data set. Expected: {DataHelp}");
    }

    /// <summary>
    /// Loads one split. <paramref name="shape"/> is used for image folders (null = 3x32x32). <paramref name="limit"/>
    /// takes the first N rows of idx and CIFAR-10 files (shuffled by their makers) and a seeded sample of an image
    /// folder's listing, drawn before decoding (its files are sorted by class).
    /// </summary>
    /// <param name="log">Receives the line that names the unreadable files an image folder skipped (count and first path).</param>
    public static InMemoryImageDataView Load(MLContext ml, string? dir, DataSplit split, int? limit, ImageShape? shape, int seed, Action<string>? log = null)
    {
        if (limit is < 1) throw new UsageException($"--limit/--test-limit must be at least 1; got {limit}.");
        InMemoryImageDataView view;
        if (dir == null)
        {
            try { view = ml.Data.LoadFashionMnist(null, split); }
            catch (DirectoryNotFoundException e) { throw new UsageException(e.Message); }
        }
        else
        {
            shape ??= new ImageShape(3, 32, 32);
            switch (Detect(dir))
            {
                case Kind.Idx: view = ml.Data.LoadFashionMnist(dir, split); break;
                case Kind.Cifar10: view = ml.Data.LoadCifar10Binary(dir, split); break;
                case Kind.ImageFolderSplit:
                    return Decode(ImageFolder.List(Path.Combine(dir, split == DataSplit.Train ? "train" : "test"), skipUnreadable: true), limit, shape, seed, log);
                default:
                    var (train, test) = ImageFolder.List(dir, skipUnreadable: true).Split(TestFraction, seed);
                    return Decode(split == DataSplit.Train ? train : test, limit, shape, seed, log);
            }
        }
        return limit is { } n && n < view.Count ? Subset(view, Enumerable.Range(0, n).ToArray()) : view;
    }

    private static InMemoryImageDataView Decode(ImageFolderListing listing, int? limit, ImageShape shape, int seed, Action<string>? log)
        => ImageFolder.LoadInMemory(limit is { } n ? listing.Sample(n, seed) : listing, shape.Width, shape.Height, shape.Grayscale,
            skipUnreadable: true, minClasses: 1, log: log ?? (_ => { }));

    public static InMemoryImageDataView Subset(InMemoryImageDataView view, IReadOnlyList<int> rows)
    {
        var pixels = new byte[(long)rows.Count * view.FeatureLength];
        var labels = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            view.GetPixelBytes(rows[i]).CopyTo(pixels.AsSpan(i * view.FeatureLength, view.FeatureLength));
            labels[i] = view.GetLabelIndex(rows[i]);
        }
        return new InMemoryImageDataView(pixels, labels, view.ClassNames, view.Channels, view.Height, view.Width);
    }

    /// <summary>Checks that a data set matches the model's input shape.</summary>
    public static void CheckShape(InMemoryImageDataView view, EncoderConfig encoder, string? dir)
    {
        if (view.Channels != encoder.Channels || view.Height != encoder.Height || view.Width != encoder.Width)
            throw new UsageException($"The data ({dir ?? "Fashion-MNIST"}) has images of {view.Channels}x{view.Height}x{view.Width} but the model " +
                                     $"expects {encoder.Channels}x{encoder.Height}x{encoder.Width}. Use the data set the model was trained on.");
    }
}
