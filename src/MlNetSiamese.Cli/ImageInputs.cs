using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.Cli;

/// <summary>Images embedded by a model: names, labels, CHW pixels in 0..1 and row-major embeddings.</summary>
public sealed record EmbeddedImages(IReadOnlyList<string> Names, IReadOnlyList<string> Labels, IReadOnlyList<float[]> Pixels,
    float[] Embeddings, int Dimension)
{
    public int Count => Names.Count;
    public ReadOnlySpan<float> Vector(int i) => Embeddings.AsSpan(i * Dimension, Dimension);
}

/// <summary>Decodes image files with the model's input shape (LoadImagePixels) or takes a data set, and embeds them.</summary>
public static class ImageInputs
{
    /// <summary>An image file, or every image file under a folder (recursively, sorted). Label = parent folder name.</summary>
    public static List<string> ListFiles(string path, string optionName)
    {
        if (File.Exists(path))
        {
            if (!ImageFolder.IsImageFile(path))
                throw new UsageException($"{optionName} '{path}' is not an image file ({string.Join(", ", ImageFolder.ImageExtensions)}). Pass an image or a folder of images.");
            return [Path.GetFullPath(path)];
        }
        if (!Directory.Exists(path))
            throw new UsageException($"{optionName} '{path}' does not exist. Pass an image file or a folder of images.");
        var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(ImageFolder.IsImageFile)
            .Select(Path.GetFullPath).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new UsageException($"{optionName} '{path}' holds no image files ({string.Join(", ", ImageFolder.ImageExtensions)}).");
        return files;
    }

    /// <summary>
    /// Decodes the files to the model's input shape (an unreadable one is an error naming it) and embeds them; labels
    /// are the parent folders' names.
    /// </summary>
    public static EmbeddedImages EmbedFiles(MLContext ml, SiameseEmbeddingTransformer embedder, IReadOnlyList<string> files, string root = "the given files",
        Action<string>? warn = null)
    {
        var enc = embedder.Encoder;
        if (!enc.IsImage) throw new UsageException("This model embeds plain vectors, not images; use --data with a data set instead of image files.");
        if (warn != null) WarnAboutConversions(files, enc, warn);
        var listing = ImageFolderListing.FromFiles(root, files);
        var view = ImageFolder.LoadInMemory(listing, enc.Width, enc.Height, enc.Channels == 1, skipUnreadable: false, minClasses: 1);
        var data = EmbedData(embedder, view);
        return data with { Names = files };
    }

    public static EmbeddedImages EmbedData(SiameseEmbeddingTransformer embedder, InMemoryImageDataView view)
    {
        var embeddings = ModelFiles.ReadEmbeddings(embedder.Transform(view), embedder.EmbeddingDimension);
        var pixels = new List<float[]>(view.Count);
        for (int i = 0; i < view.Count; i++)
        {
            var p = new float[view.FeatureLength];
            view.CopyFeatures(i, p);
            pixels.Add(p);
        }
        return new EmbeddedImages(Enumerable.Range(0, view.Count).Select(i => $"#{i}").ToList(),
            Enumerable.Range(0, view.Count).Select(view.GetLabel).ToList(), pixels, embeddings, embedder.EmbeddingDimension);
    }

    /// <summary>
    /// Says when images had to be converted to the model's input (another size, colour into a grey model, grey into a
    /// colour model): their similarities then measure the conversion as much as the content, and unrelated photos can
    /// come out "same". Reads only the files' headers.
    /// </summary>
    private static void WarnAboutConversions(IReadOnlyList<string> files, EncoderConfig enc, Action<string> warn)
    {
        var resized = new List<string>();
        var recoloured = new List<string>();
        foreach (var file in files)
        {
            using var codec = SkiaSharp.SKCodec.Create(file);
            if (codec == null) continue;   // the decoder names unreadable files itself
            var info = codec.Info;
            if (info.Width != enc.Width || info.Height != enc.Height) resized.Add($"{Path.GetFileName(file)} {info.Width}x{info.Height}");
            bool grey = info.ColorType is SkiaSharp.SKColorType.Gray8 or SkiaSharp.SKColorType.Alpha8;
            if (grey != (enc.Channels == 1) && !(enc.Channels == 1 && IsGreyContent(file))) recoloured.Add(Path.GetFileName(file));
        }
        if (resized.Count > 0)
            warn($"warning: {resized.Count} of {files.Count} images are resized to the model's {enc.Width}x{enc.Height} (e.g. {string.Join(", ", resized.Take(3))}); " +
                 "similarities of images far from the training images' size and kind can mislead.");
        if (recoloured.Count > 0)
            warn($"warning: {recoloured.Count} of {files.Count} images are {(enc.Channels == 1 ? "colour, converted to grey for this grey" : "grey, spread over three channels for this colour")} model " +
                 $"(e.g. {string.Join(", ", recoloured.Take(3))}); their similarities can mislead.");
    }

    /// <summary>Whether an image stored with colour channels holds grey pixels only (R = G = B), as many grey PNGs do.</summary>
    private static bool IsGreyContent(string file)
    {
        using var bitmap = SkiaSharp.SKBitmap.Decode(file);
        if (bitmap == null) return true;
        foreach (var c in bitmap.Pixels) if (c.Red != c.Green || c.Green != c.Blue) return false;
        return true;
    }

    /// <summary>
    /// --gallery / --input: a data set folder (idx or CIFAR-10 binary: split and limit apply), or image files: one file,
    /// or every image under a folder at any depth (class sub-folders are labels when present). --limit samples a folder's
    /// images evenly across its classes.
    /// </summary>
    public static EmbeddedImages EmbedPath(MLContext ml, SiameseEmbeddingTransformer embedder, string? path, DataSplit split, int? limit, int seed, string optionName)
    {
        if (path == null || Directory.Exists(path) && DataSource.DataSetIn(path) is DataSource.Kind.Idx or DataSource.Kind.Cifar10)
        {
            var view = DataSource.Load(ml, path, split, limit, ImageShape.Of(embedder.Encoder), seed);
            DataSource.CheckShape(view, embedder.Encoder, path);
            return EmbedData(embedder, view);
        }
        if (limit is < 1) throw new UsageException($"--limit must be at least 1; got {limit}.");
        var files = ListFiles(path, optionName);
        if (limit is { } n) files = ImageFolderListing.FromFiles(path, files).SampleAcrossClasses(n, seed).Entries.Select(e => e.ImagePath).ToList();
        return EmbedFiles(ml, embedder, files, path);
    }
}
