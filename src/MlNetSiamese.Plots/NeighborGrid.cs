using SkiaSharp;

namespace MlNetSiamese.Plots;

/// <summary>Images as planar CHW float pixels in 0..1 (1 or 3 channels), e.g. Fashion-MNIST 1x28x28 or CIFAR-10 3x32x32.</summary>
/// <param name="Pixels">One CHW array of Channels x Height x Width values per image.</param>
/// <param name="Labels">Class of each image.</param>
/// <param name="Channels">1 (grey) or 3 (RGB).</param>
/// <param name="Width">Image width.</param>
/// <param name="Height">Image height.</param>
public sealed record ImageSet(IReadOnlyList<float[]> Pixels, IReadOnlyList<string> Labels, int Channels, int Width, int Height);

/// <summary>
/// Neighbour grid: each query image followed by its top-k results, each result captioned with its label and
/// similarity and, when the query's class is known in the gallery, framed green (same class) or red (different); a
/// legend line on top says which. Captions fall back to a system font that has their glyphs (CJK class names).
/// </summary>
public static class NeighborGrid
{
    /// <summary>Frame colour of a same-class result.</summary>
    public static readonly SKColor SameClass = new(0, 170, 0);

    /// <summary>Frame colour of a different-class result.</summary>
    public static readonly SKColor DifferentClass = new(220, 0, 0);

    /// <summary>Frame colour of the query image.</summary>
    public static readonly SKColor Query = new(40, 40, 40);

    /// <summary>Frame colour of a result when same/different cannot be told (an unlabelled gallery or query).</summary>
    public static readonly SKColor Unjudged = new(150, 150, 150);

    private const int CaptionHeight = 26, LegendHeight = 30;   // two legend lines

    /// <summary>Writes the grid as PNG.</summary>
    /// <param name="queries">Query images (row i of the grid starts with query i).</param>
    /// <param name="results">Gallery images the neighbours index into.</param>
    /// <param name="neighbors">For each query, indices into <paramref name="results"/>, best first.</param>
    /// <param name="path">PNG file to write.</param>
    /// <param name="scale">Pixel magnification (an integer, at least 1).</param>
    /// <param name="scores">For each query, the similarity of each neighbour (captioned under it); null: labels only.</param>
    public static void Save(ImageSet queries, ImageSet results, IReadOnlyList<IReadOnlyList<int>> neighbors, string path, int scale = 3,
        IReadOnlyList<IReadOnlyList<float>>? scores = null)
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

        if (scores != null && (scores.Count != neighbors.Count || scores.Zip(neighbors).Any(p => p.First.Count != p.Second.Count)))
            throw new ArgumentException("'scores' must hold one similarity per neighbour.", nameof(scores));

        int frame = Math.Max(2, scale), gap = 4;
        int cellW = Math.Max(Math.Max(queries.Width, results.Width) * scale + 2 * frame, 64) + gap;
        int cellH = Math.Max(queries.Height, results.Height) * scale + 2 * frame + CaptionHeight + gap;
        int columns = 1 + neighbors.Max(r => r.Count);
        // Same/different frames only where they mean something: the query's class is one of the gallery's classes.
        var galleryClasses = results.Labels.ToHashSet(StringComparer.Ordinal);
        bool judged = galleryClasses.Count > 1 && queries.Labels.Any(galleryClasses.Contains);
        string[] legend = ["left: query; then its neighbours, best first, label and similarity",
                           judged ? "green frame: same class, red: other class" : "no classes to judge them by"];
        // As wide as the grid, or as the legend when a few columns are narrower than it.
        int width = Math.Max(columns * cellW + gap, (int)Math.Ceiling(legend.Max(CaptionWidth)) + 2 * gap);
        using var bitmap = new SKBitmap(width, LegendHeight + neighbors.Count * cellH + gap);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            Caption(canvas, legend[0], gap, 13, SKColors.Black);
            Caption(canvas, legend[1], gap, 25, SKColors.Black);
            for (int r = 0; r < neighbors.Count; r++)
            {
                int y = LegendHeight + gap + r * cellH;
                int imageBottom = y + Math.Max(queries.Height, results.Height) * scale + 2 * frame;
                Draw(canvas, queries, r, gap, y, scale, frame, Query);
                Caption(canvas, "query: " + queries.Labels[r], gap, imageBottom + 11, Query);
                for (int c = 0; c < neighbors[r].Count; c++)
                {
                    int j = neighbors[r][c];
                    bool same = results.Labels[j] == queries.Labels[r];
                    var color = !judged ? Unjudged : same ? SameClass : DifferentClass;
                    int x = gap + (c + 1) * cellW;
                    Draw(canvas, results, j, x, y, scale, frame, color);
                    Caption(canvas, results.Labels[j], x, imageBottom + 11, SKColors.Black);
                    if (scores != null) Caption(canvas, scores[r][c].ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), x, imageBottom + 23, SKColors.DimGray);
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
        int cellW = Math.Max(imageWidth * scale + 2 * frame, 64) + gap, cellH = imageHeight * scale + 2 * frame + CaptionHeight + gap;
        return (gap + column * cellW, LegendHeight + gap + row * cellH);
    }

    /// <summary>One line of text; a font that has its glyphs is taken when the default has not (CJK class names).</summary>
    private static void Caption(SKCanvas canvas, string text, int x, int baseline, SKColor color)
    {
        using var typeface = TypefaceFor(text);
        using var font = new SKFont(typeface, 10);
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        canvas.DrawText(text, x, baseline, font, paint);
    }

    private static float CaptionWidth(string text)
    {
        using var typeface = TypefaceFor(text);
        using var paint = new SKPaint { Typeface = typeface, TextSize = 10 };
        return paint.MeasureText(text);
    }

    private static SKTypeface TypefaceFor(string text)
    {
        var typeface = SKTypeface.Default;
        int missing = text.EnumerateRunes().Select(r => r.Value).FirstOrDefault(cp => !typeface.ContainsGlyph(cp));
        return missing != 0 && SKFontManager.Default.MatchCharacter(missing) is { } fallback ? fallback : SKTypeface.CreateDefault();
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
