using Microsoft.ML.Transforms.Image;
using MlNetSiamese;

namespace Microsoft.ML;

/// <summary>
/// Data loaders for similarity learning on ML.NET's data catalog (<c>ml.Data</c>). Each in-memory loader returns an
/// <see cref="InMemoryImageDataView"/> with a text <c>Label</c> column (class name) and a <c>Features</c> column:
/// a fixed-size vector of floats, planar CHW, scaled 0..1 (Fashion-MNIST 1x28x28 = 784, CIFAR-10 3x32x32 = 3072),
/// the layout the Siamese encoder expects.
/// </summary>
public static class SiameseDataCatalog
{
    /// <summary>Loads Fashion-MNIST from <paramref name="path"/>, or, when null, from the default places
    /// (<c>MLNETSIAMESE_DATA</c>, <c>./data/fashion-mnist</c>, <c>/usr/share/datasets/fashion-mnist</c>).</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="path">Folder holding the IDX files (gzipped or not), or null for the default places.</param>
    /// <param name="split">Train (60,000) or test (10,000).</param>
    public static InMemoryImageDataView LoadFashionMnist(this DataOperationsCatalog catalog, string? path = null, DataSplit split = DataSplit.Train)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return DefaultData.LoadFashionMnist(split, path);
    }

    /// <summary>Loads a pair of IDX files (MNIST-style) with the given class names.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="imagesPath">The images file.</param>
    /// <param name="labelsPath">The labels file.</param>
    /// <param name="classNames">Names indexed by label; null for the digits "0".."9".</param>
    public static InMemoryImageDataView LoadIdx(this DataOperationsCatalog catalog, string imagesPath, string labelsPath,
        IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return IdxReader.Load(imagesPath, labelsPath, classNames ?? FashionMnist.MnistClassNames);
    }

    /// <summary>Loads the CIFAR-10 binary release (<c>data_batch_*.bin</c>, <c>test_batch.bin</c>, <c>batches.meta.txt</c>).</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="directory">The <c>cifar-10-batches-bin</c> folder or its parent.</param>
    /// <param name="split">Train (50,000) or test (10,000).</param>
    public static InMemoryImageDataView LoadCifar10Binary(this DataOperationsCatalog catalog, string directory, DataSplit split = DataSplit.Train)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Cifar10BinaryReader.Load(directory, split);
    }

    /// <summary>
    /// Decodes an image folder <c>root/&lt;class&gt;/*.{jpg,jpeg,png,bmp,gif,webp}</c> once, through ML.NET
    /// ImageAnalytics, into a compact in-memory view (see <see cref="ImageFolder.LoadInMemory(string, int, int, bool, bool, int, ImageResizingEstimator.ResizingKind, Action{string}?, int)"/>). Images of any size
    /// are resized to <paramref name="width"/> x <paramref name="height"/>; smaller ones are enlarged.
    /// </summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="root">The root folder; each sub-folder is a class.</param>
    /// <param name="width">Output width in pixels.</param>
    /// <param name="height">Output height in pixels.</param>
    /// <param name="grayscale">One grey channel instead of RGB.</param>
    /// <param name="skipUnreadable">Skip and count unreadable files (see <see cref="InMemoryImageDataView.SkippedFiles"/>)
    /// instead of failing on the first one.</param>
    /// <param name="minClasses">Least number of classes accepted.</param>
    /// <param name="log">Receives the skipped-files line; null writes it to standard error.</param>
    /// <param name="maxImages">0 for every image; otherwise a seeded uniform sample of this many, drawn from the listing
    /// before anything is decoded.</param>
    /// <param name="seed">Seed of the <paramref name="maxImages"/> sample.</param>
    public static InMemoryImageDataView LoadImageFolder(this DataOperationsCatalog catalog, string root, int width, int height,
        bool grayscale = false, bool skipUnreadable = false, int minClasses = 2, Action<string>? log = null, int maxImages = 0, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (maxImages < 0) throw new ArgumentOutOfRangeException(nameof(maxImages), maxImages, "maxImages must be 0 (all images) or more.");
        var listing = ImageFolder.List(root, skipUnreadable, minClasses);
        if (maxImages > 0) listing = listing.Sample(maxImages, seed);
        return ImageFolder.LoadInMemory(listing, width, height, grayscale, skipUnreadable, minClasses,
            ImageResizingEstimator.ResizingKind.IsoCrop, log);
    }

    /// <summary>Lists an image folder as an <see cref="IDataView"/> of <c>ImagePath</c> (full path) and <c>Label</c>
    /// (class name), for <see cref="SiameseImageCatalog.LoadImagePixels"/> (decoding while the data is read).</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="root">The root folder; each sub-folder is a class.</param>
    /// <param name="skipUnreadable">Skip files that are not images by their extension instead of failing.</param>
    /// <param name="minClasses">Least number of classes accepted (1 for a folder used only for embedding).</param>
    public static IDataView LoadImageFolderListing(this DataOperationsCatalog catalog, string root, bool skipUnreadable = false, int minClasses = 2)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ImageFolder.List(root, skipUnreadable, minClasses).ToDataView(catalog);
    }
}
