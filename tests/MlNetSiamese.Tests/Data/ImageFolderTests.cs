using Microsoft.ML;
using SkiaSharp;
using Xunit;

namespace MlNetSiamese.Tests.Data;

public class ImageFolderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Root => _dir.Path;

    private void WriteThreeClasses()
    {
        ImageFiles.Png(_dir.File("red/a.png"), 8, 8, new SKColor(255, 0, 0));
        ImageFiles.Png(_dir.File("red/b.PNG"), 8, 8, new SKColor(200, 0, 0));
        ImageFiles.Jpeg(_dir.File("blue/a.jpg"), 8, 8, new SKColor(0, 0, 255));
        ImageFiles.Write(_dir.File("mixed/half.png"), 8, 8, (x, _) => x < 4 ? new SKColor(0, 255, 0) : new SKColor(0, 0, 0), SKEncodedImageFormat.Png);
        File.WriteAllText(_dir.File("README.txt"), "files in the root are ignored");
        File.WriteAllText(_dir.File("red/.DS_Store"), "hidden files are ignored");
        Directory.CreateDirectory(_dir.File("empty"));
    }

    [Fact]
    public void ListsClassesAndImagesInOrdinalOrder()
    {
        WriteThreeClasses();
        var listing = ImageFolder.List(Root);
        Assert.Equal(new[] { "blue", "mixed", "red" }, listing.ClassNames);
        Assert.Equal(new[] { "blue/a.jpg", "mixed/half.png", "red/a.png", "red/b.PNG" },
            listing.Entries.Select(e => Path.GetRelativePath(Root, e.ImagePath)));
        Assert.Equal(new[] { "blue", "mixed", "red", "red" }, listing.Entries.Select(e => e.Label));

        var view = listing.ToDataView(new MLContext().Data);
        Assert.NotNull(view.Schema.GetColumnOrNull("ImagePath"));
        Assert.NotNull(view.Schema.GetColumnOrNull("Label"));
    }

    [Fact]
    public void PipelineGivesPlanarRgbScaledToOne()
    {
        WriteThreeClasses();
        var ml = new MLContext(seed: 1);
        var listing = ImageFolder.List(Root).ToDataView(ml.Data);
        var pipeline = ImageFolder.CreatePixelPipeline(ml.Transforms, 8, 8);
        var data = pipeline.Fit(listing).Transform(listing);
        Assert.Null(data.Schema.GetColumnOrNull("__MlNetSiameseImage"));
        var rows = Rows.Read(data);

        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(3 * 8 * 8, r.Features.Length));
        var red = rows[2].Features;
        Assert.All(red[..64], v => Assert.Equal(1f, v));
        Assert.All(red[64..], v => Assert.Equal(0f, v));
        var green = rows[1].Features; // left half green, right half black, planar: plane 1 is green
        Assert.Equal(1f, green[64 + 0]);
        Assert.Equal(0f, green[64 + 7]);
        Assert.Equal(0f, green[0]);
        var blue = rows[0].Features; // JPEG: close to pure blue
        Assert.All(blue[128..], v => Assert.InRange(v, 0.9f, 1f));
        Assert.All(blue[..64], v => Assert.InRange(v, 0f, 0.1f));
    }

    [Fact]
    public void InMemoryLoaderMatchesThePipelineExactly()
    {
        WriteThreeClasses();
        var ml = new MLContext(seed: 1);
        var listing = ImageFolder.List(Root).ToDataView(ml.Data);
        var expected = Rows.Read(ImageFolder.CreatePixelPipeline(ml.Transforms, 6, 5).Fit(listing).Transform(listing));
        var view = ImageFolder.LoadInMemory(Root, 6, 5, maxDegreeOfParallelism: 2);
        var actual = Rows.Read(view);

        Assert.Equal((3, 5, 6), (view.Channels, view.Height, view.Width));
        Assert.Equal(expected.Select(r => r.Label), actual.Select(r => r.Label));
        for (int i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i].Features, actual[i].Features);
        Assert.Empty(view.SkippedFiles);
    }

    [Fact]
    public void GrayscaleGivesOnePlane()
    {
        WriteThreeClasses();
        var view = ImageFolder.LoadInMemory(Root, 8, 8, grayscale: true);
        Assert.Equal(64, view.FeatureLength);
        var half = Rows.Read(view)[1].Features;
        Assert.True(half[0] > 0.3f && half[7] == 0f, $"grey of green {half[0]}, of black {half[7]}");
    }

    [Fact]
    public void SmallerImagesAreEnlarged()
    {
        WriteThreeClasses();
        var view = ImageFolder.LoadInMemory(Root, 32, 32);
        Assert.Equal(3 * 32 * 32, view.FeatureLength);
        Assert.All(Rows.Read(view)[2].Features[..1024], v => Assert.Equal(1f, v));
    }

    [Fact]
    public void NonImageFileIsAnErrorNamingIt()
    {
        WriteThreeClasses();
        var notes = _dir.File("red/notes.txt");
        File.WriteAllText(notes, "not an image");
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.List(Root));
        Assert.Contains(notes, e.Message);
        e = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadInMemory(Root, 8, 8));
        Assert.Contains(notes, e.Message);
    }

    [Fact]
    public void UndecodableImageIsAnErrorNamingIt()
    {
        WriteThreeClasses();
        var broken = _dir.File("red/broken.jpg");
        File.WriteAllBytes(broken, Enumerable.Range(0, 500).Select(i => (byte)(i * 7)).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadInMemory(Root, 8, 8));
        Assert.Contains(broken, e.Message);
    }

    [Fact]
    public void SamplesAndSplitsAreDrawnFromTheListingBeforeDecoding()
    {
        foreach (var cls in new[] { "a", "b", "c" })
        {
            for (int i = 0; i < 10; i++) ImageFiles.Png(_dir.File($"{cls}/{i:D2}.png"), 8, 8, new SKColor((byte)(i * 20), 0, 0));
            File.WriteAllBytes(_dir.File($"{cls}/zz-broken.png"), new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3 });
        }
        var listing = ImageFolder.List(Root);
        var sample = listing.Sample(6, seed: 4);
        Assert.Equal(6, sample.Entries.Count);
        Assert.Equal(sample.Entries, listing.Sample(6, seed: 4).Entries);                    // seeded
        Assert.True(sample.Entries.Select(e => e.Label).Distinct().Count() > 1);             // not the first class only
        Assert.Equal(listing.ClassNames, sample.ClassNames);                                 // label ids stay the same
        Assert.Same(listing, listing.Sample(100, seed: 4));

        // Only the sampled files are decoded: broken files outside the sample are never opened.
        var view = ImageFolder.LoadInMemory(sample, 8, 8, skipUnreadable: true, minClasses: 1, log: _ => { });
        Assert.Equal(6, view.Count + view.SkippedFiles.Count);
        Assert.Equal(sample.Entries.Count(e => e.ImagePath.EndsWith("zz-broken.png")), view.SkippedFiles.Count);

        var (train, test) = listing.Split(0.2, seed: 4);
        Assert.Equal(listing.Entries.Count, train.Entries.Count + test.Entries.Count);
        Assert.Equal(7, test.Entries.Count);                                                 // round(33 x 0.2)
        Assert.Empty(train.Entries.Select(e => e.ImagePath).Intersect(test.Entries.Select(e => e.ImagePath)));
        Assert.Equal(listing.ClassNames, test.ClassNames);
        var viaCatalog = new MLContext().Data.LoadImageFolder(Root, 8, 8, skipUnreadable: true, log: _ => { }, maxImages: 6, seed: 4);
        Assert.Equal(view.Count, viaCatalog.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => listing.Sample(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => listing.Split(1.0, 1));
    }

    [Fact]
    public void SkippingCountsUnreadableFilesAndLogsOnce()
    {
        WriteThreeClasses();
        File.WriteAllText(_dir.File("red/notes.txt"), "not an image");
        File.WriteAllBytes(_dir.File("blue/broken.png"), new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3 });
        var truncated = File.ReadAllBytes(_dir.File("blue/a.jpg"));
        File.WriteAllBytes(_dir.File("blue/truncated.jpg"), truncated[..20]);
        var lines = new List<string>();

        var view = ImageFolder.LoadInMemory(Root, 8, 8, skipUnreadable: true, log: lines.Add);

        Assert.Equal(4, view.Count);
        Assert.Equal(3, view.SkippedFiles.Count);
        Assert.Contains(_dir.File("red/notes.txt"), view.SkippedFiles);
        Assert.Contains(_dir.File("blue/broken.png"), view.SkippedFiles);
        Assert.Contains(_dir.File("blue/truncated.jpg"), view.SkippedFiles);
        var line = Assert.Single(lines);
        Assert.Contains("skipped 3", line);
        Assert.Equal(new[] { "blue", "mixed", "red", "red" }, Rows.Read(view).Select(r => r.Label));
        Assert.All(Rows.Read(view)[2].Features[..64], v => Assert.Equal(1f, v));
    }

    [Fact]
    public void EmptyFolderIsAnError()
    {
        Directory.CreateDirectory(_dir.File("cats"));
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.List(Root));
        Assert.Contains("no image", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.List(_dir.File("missing")));
    }

    [Fact]
    public void SingleClassIsAnErrorUnlessAllowed()
    {
        ImageFiles.Png(_dir.File("cats/a.png"), 4, 4, SKColors.White);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadInMemory(Root, 4, 4));
        Assert.Contains("1 class", e.Message);
        Assert.Equal(1, ImageFolder.LoadInMemory(Root, 4, 4, minClasses: 1).Count);
    }
}
