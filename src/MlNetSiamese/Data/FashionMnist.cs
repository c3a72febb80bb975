using MlNetSiamese.Data;

namespace MlNetSiamese;

/// <summary>
/// Fashion-MNIST (Zalando Research, MIT licence): 70,000 grey 28x28 images of clothing in 10 classes, 60,000 for
/// training and 10,000 for testing, as four IDX files. Also reads the original MNIST digits, which use the same
/// file names and format.
/// </summary>
public static class FashionMnist
{
    /// <summary>The 10 Fashion-MNIST class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>The 10 MNIST class names (the digits "0".."9"), indexed by label.</summary>
    public static IReadOnlyList<string> MnistClassNames { get; } = Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray();

    /// <summary>Image side in pixels (images are 28x28, one grey channel).</summary>
    public const int ImageSize = 28;

    /// <summary>File name of the images of a split, without the optional <c>.gz</c>.</summary>
    /// <param name="split">Train or test.</param>
    public static string ImagesFileName(DataSplit split) => $"{Prefix(split)}-images-idx3-ubyte";

    /// <summary>File name of the labels of a split, without the optional <c>.gz</c>.</summary>
    /// <param name="split">Train or test.</param>
    public static string LabelsFileName(DataSplit split) => $"{Prefix(split)}-labels-idx1-ubyte";

    /// <summary>True when <paramref name="directory"/> holds the image and label files of both splits (gzipped or not).</summary>
    /// <param name="directory">Folder to check.</param>
    public static bool IsPresentIn(string directory)
        => Directory.Exists(directory)
           && new[] { DataSplit.Train, DataSplit.Test }.All(s =>
               FindFile(directory, ImagesFileName(s)) != null && FindFile(directory, LabelsFileName(s)) != null);

    /// <summary>Loads one split of Fashion-MNIST from <paramref name="directory"/> (files gzipped or not).</summary>
    /// <param name="directory">Folder holding <c>train-images-idx3-ubyte.gz</c> and the other files.</param>
    /// <param name="split">Train (60,000 images) or test (10,000 images).</param>
    /// <returns><c>Label</c> = class name, <c>Features</c> = 784 floats in 0..1.</returns>
    /// <exception cref="FileNotFoundException">A file of the split is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed (see <see cref="IdxReader"/>).</exception>
    public static InMemoryImageDataView Load(string directory, DataSplit split = DataSplit.Train)
        => LoadSplit(directory, split, ClassNames);

    /// <summary>Loads one split of MNIST (digits) from <paramref name="directory"/>.</summary>
    /// <param name="directory">Folder holding <c>train-images-idx3-ubyte[.gz]</c> and the other files.</param>
    /// <param name="split">Train or test.</param>
    /// <returns><c>Label</c> = digit "0".."9", <c>Features</c> = 784 floats in 0..1.</returns>
    public static InMemoryImageDataView LoadMnist(string directory, DataSplit split = DataSplit.Train)
        => LoadSplit(directory, split, MnistClassNames);

    private static InMemoryImageDataView LoadSplit(string directory, DataSplit split, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string images = FindFile(directory, ImagesFileName(split))
            ?? throw new FileNotFoundException($"'{ImagesFileName(split)}[.gz]' not found in '{directory}'.", Path.Combine(directory, ImagesFileName(split) + ".gz"));
        string labels = FindFile(directory, LabelsFileName(split))
            ?? throw new FileNotFoundException($"'{LabelsFileName(split)}[.gz]' not found in '{directory}'.", Path.Combine(directory, LabelsFileName(split) + ".gz"));
        return IdxReader.Load(images, labels, classNames);
    }

    private static string? FindFile(string directory, string name) => DataFiles.FindFirst(directory, name + ".gz", name);

    private static string Prefix(DataSplit split) => split switch
    {
        DataSplit.Train => "train",
        DataSplit.Test => "t10k",
        _ => throw new ArgumentOutOfRangeException(nameof(split)),
    };
}
