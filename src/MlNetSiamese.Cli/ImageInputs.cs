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

    public static EmbeddedImages EmbedFiles(MLContext ml, SiameseEmbeddingTransformer embedder, IReadOnlyList<string> files)
    {
        var enc = embedder.Encoder;
        if (!enc.IsImage) throw new UsageException("This model embeds plain vectors, not images; use --data with a data set instead of image files.");
        var entries = files.Select(f => new ImageFolderEntry { ImagePath = f, Label = Path.GetFileName(Path.GetDirectoryName(f)) ?? "" }).ToList();
        var listing = ml.Data.LoadFromEnumerable(entries);
        var pixels = ml.Transforms.LoadImagePixels(enc.Width, enc.Height, enc.Channels == 1).Fit(listing).Transform(listing);
        var embedded = embedder.Transform(pixels);
        var features = ReadVectors(embedded, InMemoryImageDataView.FeaturesColumnName);
        var embeddings = ReadVectors(embedded, "Embedding");
        return new EmbeddedImages(files, entries.Select(e => e.Label).ToList(), features, embeddings.SelectMany(v => v).ToArray(), embedder.EmbeddingDimension);
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

    /// <summary>--gallery / --data: a data set folder (idx or CIFAR-10 binary: split and limit apply) or image files.</summary>
    public static EmbeddedImages EmbedPath(MLContext ml, SiameseEmbeddingTransformer embedder, string? path, DataSplit split, int? limit, int seed, string optionName)
    {
        if (path == null || Directory.Exists(path) && DataSource.Detect(path) is DataSource.Kind.Idx or DataSource.Kind.Cifar10)
        {
            var view = DataSource.Load(ml, path, split, limit, ImageShape.Of(embedder.Encoder), seed);
            DataSource.CheckShape(view, embedder.Encoder, path);
            return EmbedData(embedder, view);
        }
        var files = ListFiles(path, optionName);
        if (limit is { } n) files = files.Take(n).ToList();
        return EmbedFiles(ml, embedder, files);
    }

    private static List<float[]> ReadVectors(IDataView data, string column)
    {
        var col = data.Schema[column];
        var result = new List<float[]>();
        using var cursor = data.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        var buffer = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            var dense = new float[buffer.Length];
            buffer.CopyTo(dense);
            result.Add(dense);
        }
        return result;
    }
}
