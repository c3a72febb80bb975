using Microsoft.ML;

namespace MlNetSiamese;

/// <summary>The images found under an image-folder root (<c>root/&lt;class&gt;/*.jpg</c> ...), see
/// <see cref="ImageFolder.List"/>.</summary>
public sealed class ImageFolderListing
{
    internal ImageFolderListing(string root, IReadOnlyList<string> classNames, IReadOnlyList<ImageFolderEntry> entries,
        IReadOnlyList<string> skippedFiles)
    {
        Root = root;
        ClassNames = classNames;
        Entries = entries;
        SkippedFiles = skippedFiles;
    }

    /// <summary>The root folder.</summary>
    public string Root { get; }

    /// <summary>Class names (sub-folders holding at least one image), in ordinal order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The images, class by class in <see cref="ClassNames"/> order, file names in ordinal order.</summary>
    public IReadOnlyList<ImageFolderEntry> Entries { get; }

    /// <summary>Files in class folders that are not images by their extension, skipped because skipping was asked.</summary>
    public IReadOnlyList<string> SkippedFiles { get; }

    /// <summary>The listing as an <see cref="IDataView"/> with text columns <c>ImagePath</c> (full path) and
    /// <c>Label</c> (class name), ready for <see cref="ImageFolder.CreatePixelPipeline"/>.</summary>
    /// <param name="data">The data catalog of an <see cref="MLContext"/>, e.g. <c>ml.Data</c>.</param>
    public IDataView ToDataView(DataOperationsCatalog data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.LoadFromEnumerable(Entries);
    }
}
