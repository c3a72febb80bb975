namespace MlNetSiamese;

/// <summary>
/// Image folders laid out as <c>root/&lt;class&gt;/&lt;image&gt;</c> (how users keep product photos, and how the
/// CIFAR-10 JPEG copy <c>cifar10/{train,test}/&lt;class&gt;/NNNN.jpg</c> is laid out): listing, the ML.NET
/// ImageAnalytics pixel pipeline, and a compact in-memory loader.
/// </summary>
/// <remarks>
/// Images are the files directly inside each class folder (not in deeper folders) whose extension is one of
/// <see cref="ImageExtensions"/>, case-insensitive. Hidden files (name starting with '.'), <c>Thumbs.db</c> and
/// <c>desktop.ini</c> are ignored, and so are files directly in the root. Any other file in a class folder is an
/// error naming it, unless skipping is asked, in which case it is counted in the skipped files.
/// Class folders without any image are left out; a root with no image, or with fewer classes than asked
/// (two by default, since similarity learning needs pairs of different classes), is an error.
/// </remarks>
public static partial class ImageFolder
{
    /// <summary>Extensions of the files taken as images (decoded by ML.NET ImageAnalytics / SkiaSharp).</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = new[] { ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp" };

    /// <summary>Name of the path column of the listing.</summary>
    public const string ImagePathColumnName = "ImagePath";

    private static readonly HashSet<string> IgnoredFileNames = new(StringComparer.OrdinalIgnoreCase) { "Thumbs.db", "desktop.ini" };

    /// <summary>Lists the images under <paramref name="root"/>.</summary>
    /// <param name="root">The root folder; each sub-folder is a class.</param>
    /// <param name="skipUnreadable">When true, files that are not images by their extension are skipped and
    /// reported in <see cref="ImageFolderListing.SkippedFiles"/>; when false they are an error.</param>
    /// <param name="minClasses">Least number of classes accepted (2 by default; 1 for a folder used only for embedding).</param>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    /// <exception cref="InvalidDataException">A non-image file (without skipping), no image at all, or too few classes.</exception>
    public static ImageFolderListing List(string root, bool skipUnreadable = false, int minClasses = 2)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");
        root = Path.GetFullPath(root);

        var classNames = new List<string>();
        var entries = new List<ImageFolderEntry>();
        var skipped = new List<string>();
        foreach (var classDir in Directory.GetDirectories(root).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            string className = Path.GetFileName(classDir);
            int before = entries.Count;
            foreach (var file in Directory.GetFiles(classDir).Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileName(file);
                if (name.StartsWith('.') || IgnoredFileNames.Contains(name))
                    continue;
                if (IsImageFile(file))
                    entries.Add(new ImageFolderEntry { ImagePath = file, Label = className });
                else if (skipUnreadable)
                    skipped.Add(file);
                else
                    throw new InvalidDataException(
                        $"'{file}' is not an image file (extension '{Path.GetExtension(file)}'; accepted: {string.Join(", ", ImageExtensions)}). " +
                        "Remove it, or ask to skip unreadable files.");
            }
            if (entries.Count > before)
                classNames.Add(className);
        }

        if (entries.Count == 0)
            throw new InvalidDataException(
                $"Image folder '{root}' holds no image: expected {root}/<class>/<image> with extensions {string.Join(", ", ImageExtensions)}.");
        if (classNames.Count < minClasses)
            throw new InvalidDataException(
                $"Image folder '{root}' holds {classNames.Count} class(es) ({string.Join(", ", classNames)}); at least {minClasses} are needed " +
                "(one sub-folder per class; similarity learning needs images of different classes).");
        return new ImageFolderListing(root, classNames, entries, skipped);
    }

    /// <summary>True when the extension of <paramref name="path"/> is one of <see cref="ImageExtensions"/>.</summary>
    /// <param name="path">A file path.</param>
    public static bool IsImageFile(string path)
        => ImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);
}
