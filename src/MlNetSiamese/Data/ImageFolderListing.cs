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

    /// <summary>A seeded uniform sample of <paramref name="count"/> images (all when there are fewer), in listing order,
    /// with the same <see cref="ClassNames"/>: subsets are taken before anything is decoded.</summary>
    /// <param name="count">Images to keep; at least 1.</param>
    /// <param name="seed">Seed of the draw.</param>
    public ImageFolderListing Sample(int count, int seed)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "The sample must hold at least 1 image.");
        if (count >= Entries.Count) return this;
        var order = Enumerable.Range(0, Entries.Count).ToArray();
        new Random(seed).Shuffle(order);
        return Select(order[..count]);
    }

    /// <summary>A seeded split into train and test listings (test = <paramref name="testFraction"/> of the images, at
    /// least 1), both in listing order and with the same <see cref="ClassNames"/>, so label ids agree.</summary>
    /// <param name="testFraction">Share of the images in the test listing, in (0, 1).</param>
    /// <param name="seed">Seed of the split.</param>
    public (ImageFolderListing Train, ImageFolderListing Test) Split(double testFraction, int seed)
    {
        if (!(testFraction > 0 && testFraction < 1)) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test share must be in (0, 1).");
        if (Entries.Count < 2) throw new InvalidOperationException($"Image folder '{Root}' holds {Entries.Count} image(s); a split needs at least 2.");
        var order = Enumerable.Range(0, Entries.Count).ToArray();
        new Random(seed).Shuffle(order);
        int test = Math.Clamp((int)Math.Round(Entries.Count * testFraction), 1, Entries.Count - 1);
        return (Select(order[test..]), Select(order[..test]));
    }

    /// <summary>
    /// A listing of the given image files (a gallery, a query): each file's label is its parent folder's name, so
    /// class sub-folders are labels and the files of a plain folder share one. Files keep the given order.
    /// </summary>
    /// <param name="root">What the listing is called in messages (the folder the files came from).</param>
    /// <param name="files">Image file paths.</param>
    public static ImageFolderListing FromFiles(string root, IEnumerable<string> files)
    {
        var entries = files.Select(f => new ImageFolderEntry { ImagePath = f, Label = Path.GetFileName(Path.GetDirectoryName(f)) ?? "" }).ToArray();
        var classes = entries.Select(e => e.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
        return new ImageFolderListing(root, classes, entries, Array.Empty<string>());
    }

    /// <summary>
    /// At most <paramref name="count"/> images drawn evenly across classes (round robin over the classes, each class's
    /// images in a seeded random order), in listing order: a limit that keeps every class, where the first N of a
    /// class-sorted listing would be one class.
    /// </summary>
    public ImageFolderListing SampleAcrossClasses(int count, int seed)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "The sample must hold at least 1 image.");
        if (count >= Entries.Count) return this;
        var random = new Random(seed);
        var queues = Enumerable.Range(0, Entries.Count).GroupBy(i => Entries[i].Label, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => { var rows = g.ToArray(); random.Shuffle(rows); return new Queue<int>(rows); }).ToList();
        var picked = new List<int>(count);
        while (picked.Count < count)
            foreach (var queue in queues)
                if (picked.Count < count && queue.Count > 0) picked.Add(queue.Dequeue());
        return Select(picked.ToArray());
    }

    private ImageFolderListing Select(int[] rows)
    {
        Array.Sort(rows);
        return new ImageFolderListing(Root, ClassNames, rows.Select(i => Entries[i]).ToArray(), SkippedFiles);
    }

    /// <summary>The listing as an <see cref="IDataView"/> with text columns <c>ImagePath</c> (full path) and
    /// <c>Label</c> (class name), ready for <see cref="ImageFolder.CreatePixelPipeline"/>.</summary>
    /// <param name="data">The data catalog of an <see cref="MLContext"/>, e.g. <c>ml.Data</c>.</param>
    public IDataView ToDataView(DataOperationsCatalog data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.LoadFromEnumerable(Entries);
    }
}
