using SkiaSharp;

namespace MlNetSiamese.Plots;

/// <summary>Images as planar CHW float pixels in 0..1 (1 or 3 channels), e.g. Fashion-MNIST 1x28x28 or CIFAR-10 3x32x32.</summary>
/// <param name="Pixels">One CHW array of Channels x Height x Width values per image.</param>
/// <param name="Labels">Class of each image.</param>
/// <param name="Channels">1 (grey) or 3 (RGB).</param>
/// <param name="Width">Image width.</param>
/// <param name="Height">Image height.</param>
public sealed record ImageSet(IReadOnlyList<float[]> Pixels, IReadOnlyList<string> Labels, int Channels, int Width, int Height);

/// <summary>Neighbour grid: each query image followed by its top-k results, framed green (same class) or red (different).</summary>
public static class NeighborGrid
{
    /// <summary>Frame colour of a same-class result.</summary>
    public static readonly SKColor SameClass = new(0, 170, 0);

    /// <summary>Frame colour of a different-class result.</summary>
    public static readonly SKColor DifferentClass = new(220, 0, 0);

    /// <summary>Frame colour of the query image.</summary>
    public static readonly SKColor Query = new(40, 40, 40);

    /// <summary>Writes the grid as PNG.</summary>
    /// <param name="queries">Query images (row i of the grid starts with query i).</param>
    /// <param name="results">Gallery images the neighbours index into.</param>
    /// <param name="neighbors">For each query, indices into <paramref name="results"/>, best first.</param>
    /// <param name="path">PNG file to write.</param>
    /// <param name="scale">Pixel magnification (an integer, at least 1).</param>
    public static void Save(ImageSet queries, ImageSet results, IReadOnlyList<IReadOnlyList<int>> neighbors, string path, int scale = 3)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(neighbors);
        Validate(queries, nameof(queries));
        Validate(results, nameof(results));
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be at least 1.");
        if (neighbors.Count != queries.Pixels.Count)
            throw new ArgumentException($"'neighbors' has {neighbors.Count} rows but there are {queries.Pixels.Count} queries.", nameof(neighbors));
        if (queries.Pixels.Count == 0) throw new ArgumentException("At least one query is needed.", nameof(queries));
        foreach (var row in neighbors)
            foreach (int j in row)
                if (j < 0 || j >= results.Pixels.Count)
                    throw new ArgumentOutOfRangeException(nameof(neighbors), j, $"A neighbour index is outside the {results.Pixels.Count} result images.");

        int frame = Math.Max(2, scale), gap = 4;
        int cellW = Math.Max(queries.Width, results.Width) * scale + 2 * frame + gap;
        int cellH = Math.Max(queries.Height, results.Height) * scale + 2 * frame + gap;
        int columns = 1 + neighbors.Max(r => r.Count);
        using var bitmap = new SKBitmap(columns * cellW + gap, neighbors.Count * cellH + gap);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            for (int r = 0; r < neighbors.Count; r++)
            {
                int y = gap + r * cellH;
                Draw(canvas, queries, r, gap, y, scale, frame, Query);
                for (int c = 0; c < neighbors[r].Count; c++)
                {
                    int j = neighbors[r][c];
                    var color = results.Labels[j] == queries.Labels[r] ? SameClass : DifferentClass;
                    Draw(canvas, results, j, gap + (c + 1) * cellW, y, scale, frame, color);
                }
            }
        }
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    /// <summary>Top-left pixel of the frame of grid cell (<paramref name="row"/>, <paramref name="column"/>) for the given sizes; for tests and overlays.</summary>
    public static (int X, int Y) FrameOrigin(int row, int column, int imageWidth, int imageHeight, int scale = 3)
    {
        int frame = Math.Max(2, scale), gap = 4;
        return (gap + column * (imageWidth * scale + 2 * frame + gap), gap + row * (imageHeight * scale + 2 * frame + gap));
    }

    private static void Draw(SKCanvas canvas, ImageSet set, int index, int x, int y, int scale, int frame, SKColor frameColor)
    {
        using var framePaint = new SKPaint { Color = frameColor, Style = SKPaintStyle.Fill };
        canvas.DrawRect(x, y, set.Width * scale + 2 * frame, set.Height * scale + 2 * frame, framePaint);
        var px = set.Pixels[index];
        int plane = set.Width * set.Height;
        using var paint = new SKPaint { Style = SKPaintStyle.Fill };
        for (int h = 0; h < set.Height; h++)
            for (int w = 0; w < set.Width; w++)
            {
                int i = h * set.Width + w;
                byte r = ToByte(px[i]);
                byte g = set.Channels == 3 ? ToByte(px[plane + i]) : r;
                byte b = set.Channels == 3 ? ToByte(px[2 * plane + i]) : r;
                paint.Color = new SKColor(r, g, b);
                canvas.DrawRect(x + frame + w * scale, y + frame + h * scale, scale, scale, paint);
            }
    }

    private static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);

    private static void Validate(ImageSet set, string name)
    {
        if (set.Channels is not (1 or 3)) throw new ArgumentOutOfRangeException(name, set.Channels, $"'{name}' must have 1 or 3 channels.");
        if (set.Width < 1 || set.Height < 1) throw new ArgumentOutOfRangeException(name, $"'{name}' must have a positive width and height.");
        if (set.Labels.Count != set.Pixels.Count)
            throw new ArgumentException($"'{name}' has {set.Pixels.Count} images but {set.Labels.Count} labels.", name);
        int expected = set.Channels * set.Width * set.Height;
        for (int i = 0; i < set.Pixels.Count; i++)
        {
            if (set.Pixels[i] is null || set.Pixels[i].Length != expected)
                throw new ArgumentException($"'{name}' image {i} has {set.Pixels[i]?.Length ?? 0} values; expected {set.Channels}x{set.Height}x{set.Width} = {expected} (CHW).", name);
            foreach (float v in set.Pixels[i])
                if (!float.IsFinite(v)) throw new ArgumentException($"'{name}' image {i} has a NaN or infinite pixel.", name);
        }
    }
}
