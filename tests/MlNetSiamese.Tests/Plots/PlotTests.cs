using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Evaluation;
using MlNetSiamese.Plots;
using SkiaSharp;
using Xunit;

namespace MlNetSiamese.Tests.Plots;

public sealed class PlotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("plots").FullName;

    // Set MLNETSIAMESE_KEEP_PLOTS=1 to keep the PNGs (their folder is printed by the runner's diagnostics) for a look.
    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("MLNETSIAMESE_KEEP_PLOTS") != "1") Directory.Delete(_dir, recursive: true);
    }

    private static SKBitmap Decode(string path, int width, int height)
    {
        Assert.True(File.Exists(path), path);
        var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        return bitmap;
    }

    /// <summary>A neighbour grid: the height exact, as wide as its columns or wider, and the two-line legend inside the image (its band's last 4 columns white).</summary>
    private static SKBitmap DecodeGrid(string path, int gridWidth, int height)
    {
        Assert.True(File.Exists(path), path);
        var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.Equal(height, bitmap.Height);
        Assert.True(bitmap.Width >= gridWidth, $"width {bitmap.Width} < the grid's {gridWidth}");
        for (int y = 0; y < 30; y++)
            for (int x = bitmap.Width - 4; x < bitmap.Width; x++)
                Assert.True(bitmap.GetPixel(x, y) == SKColors.White, $"the legend reaches the right edge at ({x}, {y})");
        return bitmap;
    }

    private static int DistinctColors(SKBitmap b) =>
        Enumerable.Range(0, b.Height / 4).SelectMany(y => Enumerable.Range(0, b.Width / 4).Select(x => b.GetPixel(x * 4, y * 4))).Distinct().Count();

    private static PairMetrics Metrics()
    {
        var (emb, labels) = TestData.Clustered(200, 8, 4, 1.2f, 1);
        var pairs = PairSampler.CreateScored(emb, 8, labels);
        return PairEvaluator.Evaluate(pairs.Scores, pairs.IsPositive);
    }

    [Fact]
    public void HistogramAndRocPngsAreWritten()
    {
        var m = Metrics();
        string hist = Path.Combine(_dir, "hist.png"), roc = Path.Combine(_dir, "roc.png");
        SimilarityPlots.SaveHistograms(m, hist);
        SimilarityPlots.SaveRocCurve(m, roc);
        using var h = Decode(hist, 800, 500);
        using var r = Decode(roc, 600, 600);
        Assert.True(DistinctColors(h) > 5);
        Assert.True(DistinctColors(r) > 3);
    }

    [Fact]
    public void ProjectionSeparatesClustersAndIsPlotted()
    {
        const int dim = 16;
        var (emb, labels) = TestData.Clustered(300, dim, 3, 0.3f, 2);
        var xy = EmbeddingProjectionPlot.ProjectPca(emb, dim);
        Assert.Equal(600, xy.Length);
        // Tight clusters stay apart in the projection: each point is nearer its own class mean than any other.
        var means = Enumerable.Range(0, 3).Select(c => (
            x: Enumerable.Range(0, 300).Where(i => labels[i] == c).Average(i => xy[2 * i]),
            y: Enumerable.Range(0, 300).Where(i => labels[i] == c).Average(i => xy[2 * i + 1]))).ToArray();
        int nearest = Enumerable.Range(0, 300).Count(i =>
            Enumerable.Range(0, 3).MinBy(c => Math.Pow(xy[2 * i] - means[c].x, 2) + Math.Pow(xy[2 * i + 1] - means[c].y, 2)) == labels[i]);
        Assert.True(nearest > 280, $"{nearest} of 300 nearest their class mean");

        string path = Path.Combine(_dir, "pca.png");
        EmbeddingProjectionPlot.Save(emb, dim, labels.Select(l => "class " + l).ToList(), path);
        using var b = Decode(path, 800, 700);
        Assert.True(DistinctColors(b) > 4);
    }

    [Fact]
    public void NeighborGridFromImagesLoadedByImageAnalytics()
    {
        // Write four 8x8 PNGs, load them with ML.NET ImageAnalytics as CHW floats in 0..1, then draw the grid (same process).
        var colors = new[] { SKColors.Red, SKColors.Blue, SKColors.Yellow, SKColors.Black };
        var rows = new List<ImageRow>();
        for (int i = 0; i < colors.Length; i++)
        {
            using var bmp = new SKBitmap(8, 8);
            bmp.Erase(colors[i]);
            bmp.SetPixel(0, 0, SKColors.White);
            string file = Path.Combine(_dir, $"img{i}.png");
            using (var fs = File.Create(file)) SKImage.FromBitmap(bmp).Encode(SKEncodedImageFormat.Png, 100).SaveTo(fs);
            rows.Add(new ImageRow { Path = file });
        }
        var ml = new MLContext(0);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.LoadImages("Image", null, "Path")
            .Append(ml.Transforms.ResizeImages("Image", 8, 8, "Image"))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image", scaleImage: 1f / 255, interleavePixelColors: false));
        var pixels = pipeline.Fit(data).Transform(data).GetColumn<float[]>("Pixels").ToList();
        Assert.Equal(3 * 8 * 8, pixels[0].Length);
        Assert.Equal(1f, pixels[0][0], 3);          // red plane, white corner
        Assert.Equal(0f, pixels[0][64 + 5], 3);     // green plane of a red pixel

        var set = new ImageSet(pixels, ["a", "b", "a", "b"], 3, 8, 8);
        string path = Path.Combine(_dir, "grid.png");
        var queries = new ImageSet(pixels.Take(2).ToList(), ["a", "b"], 3, 8, 8);
        NeighborGrid.Save(queries, set, [[2, 1], [3, 0]], path, scale: 3, scores: [[0.9f, 0.2f], [0.8f, 0.1f]]);

        // 3 columns of max(8*3 + 2*3, 64) + 4 = 68 px (or the legend's width), 2 rows of 8*3 + 2*3 + 26 (captions) + 4 = 60 px, a 30-px legend and a 4-px margin.
        using var b = DecodeGrid(path, 3 * 68 + 4, 30 + 2 * 60 + 4);
        SKColor At((int X, int Y) p) => b.GetPixel(p.X + 1, p.Y + 1);
        Assert.Equal(NeighborGrid.Query, At(NeighborGrid.FrameOrigin(0, 0, 8, 8)));
        Assert.Equal(NeighborGrid.SameClass, At(NeighborGrid.FrameOrigin(0, 1, 8, 8)));      // query "a" -> image 2 "a"
        Assert.Equal(NeighborGrid.DifferentClass, At(NeighborGrid.FrameOrigin(0, 2, 8, 8))); // query "a" -> image 1 "b"
        Assert.Equal(NeighborGrid.SameClass, At(NeighborGrid.FrameOrigin(1, 1, 8, 8)));
        Assert.Equal(NeighborGrid.DifferentClass, At(NeighborGrid.FrameOrigin(1, 2, 8, 8)));
        var (qx, qy) = NeighborGrid.FrameOrigin(0, 1, 8, 8);
        Assert.Equal(SKColors.Yellow, b.GetPixel(qx + 3 + 12, qy + 3 + 12));                 // image 2's pixels inside the frame
        // Captions (label and similarity) under each result, and the legend: dark text pixels there, white elsewhere.
        int Ink(int x0, int y0, int w, int h) { int n = 0; for (int y = y0; y < y0 + h; y++) for (int x = x0; x < x0 + w; x++) if (b.GetPixel(x, y).Red < 128) n++; return n; }
        Assert.True(Ink(qx, qy + 30 + 2, 60, 24) > 10, "the label and similarity under a neighbour");
        Assert.True(Ink(4, 2, 200, 14) > 30, "the legend");

        // A gallery without classes to judge by: grey frames, not red and green.
        var unlabelled = new ImageSet(pixels, ["photos", "photos", "photos", "photos"], 3, 8, 8);
        NeighborGrid.Save(new ImageSet(pixels.Take(1).ToList(), ["query"], 3, 8, 8), unlabelled, [[2, 1]], path, scale: 3);
        using var u = DecodeGrid(path, 3 * 68 + 4, 30 + 60 + 4);
        var (ux, uy) = NeighborGrid.FrameOrigin(0, 1, 8, 8);
        Assert.Equal(NeighborGrid.Unjudged, u.GetPixel(ux + 1, uy + 1));
    }

    [Fact]
    public void ClassNamesInCjkAreDrawnWithAFontThatHasTheirGlyphs()
    {
        var set = new ImageSet([Enumerable.Repeat(0.5f, 64).ToArray(), new float[64]], ["靴", "包"], 1, 8, 8);
        string path = Path.Combine(_dir, "cjk.png");
        NeighborGrid.Save(set, set, [[1], [0]], path, scale: 3);
        // No exception when the default font lacks the glyphs: a system font that has them draws them where one is
        // installed (fonts-noto-cjk), else the default's placeholder boxes; either way the caption is inked.
        using var b = DecodeGrid(path, 2 * 68 + 4, 30 + 2 * 60 + 4);
        var (x, y) = NeighborGrid.FrameOrigin(0, 1, 8, 8);
        int ink = 0;
        for (int yy = y + 30 + 2; yy < y + 30 + 14; yy++) for (int xx = x; xx < x + 20; xx++) if (b.GetPixel(xx, yy).Red < 128) ink++;
        Assert.True(ink > 3, "the CJK label should be drawn");
    }

    [Fact]
    public void GreyImagesAndBadShapes()
    {
        var grey = new ImageSet([Enumerable.Repeat(0.5f, 28 * 28).ToArray(), new float[28 * 28]], ["x", "y"], 1, 28, 28);
        string path = Path.Combine(_dir, "grey.png");
        NeighborGrid.Save(grey, grey, [[1], [0]], path, scale: 1);
        using var b = DecodeGrid(path, 2 * 68 + 4, 30 + 2 * (28 + 4 + 26 + 4) + 4);
        var (x0, y0) = NeighborGrid.FrameOrigin(0, 0, 28, 28, scale: 1);
        Assert.Equal(new SKColor(128, 128, 128), b.GetPixel(x0 + 2 + 10, y0 + 2 + 10));

        var wrong = new ImageSet([new float[10]], ["x"], 1, 28, 28);
        Assert.Contains("CHW", Assert.Throws<ArgumentException>(() => NeighborGrid.Save(wrong, wrong, [[0]], path)).Message);
        Assert.Equal("neighbors", Assert.Throws<ArgumentOutOfRangeException>(() => NeighborGrid.Save(grey, grey, [[5], [0]], path)).ParamName);
    }

    private sealed class ImageRow
    {
        public string Path { get; set; } = "";
    }
}
