using Microsoft.ML;
using SkiaSharp;
using Xunit;

namespace MlNetSiamese.Tests.Data;

public class DefaultDataTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string MakeFashion(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var split in new[] { DataSplit.Train, DataSplit.Test })
        {
            IdxFiles.Write(Path.Combine(folder, FashionMnist.ImagesFileName(split) + ".gz"), IdxFiles.Images(2, 28, 28, (i, p) => 3), gzip: true);
            IdxFiles.Write(Path.Combine(folder, FashionMnist.LabelsFileName(split) + ".gz"), IdxFiles.Labels(new byte[] { 4, 5 }), gzip: true);
        }
        return folder;
    }

    [Fact]
    public void SearchOrderIsExplicitThenEnvironmentThenFallbacks()
    {
        string a = MakeFashion(_dir.File("a")), b = MakeFashion(_dir.File("b/fashion-mnist")), c = MakeFashion(_dir.File("c"));
        string[] fallbacks = { _dir.File("nothing"), c };

        Assert.Equal(a, DefaultData.LocateFashionMnist(a, _dir.File("b"), fallbacks));
        Assert.Equal(b, DefaultData.LocateFashionMnist(null, _dir.File("b"), fallbacks));
        Assert.Equal(c, DefaultData.LocateFashionMnist(null, null, fallbacks));
        Assert.Equal(c, DefaultData.LocateFashionMnist("", " ", fallbacks));
    }

    [Fact]
    public void AGivenPathWithoutDataIsAnErrorNotAFallback()
    {
        string c = MakeFashion(_dir.File("c"));
        var e = Assert.Throws<DirectoryNotFoundException>(() => DefaultData.LocateFashionMnist(_dir.File("empty"), null, new[] { c }));
        Assert.Contains(_dir.File("empty"), e.Message);
        e = Assert.Throws<DirectoryNotFoundException>(() => DefaultData.LocateFashionMnist(null, _dir.File("env"), new[] { c }));
        Assert.Contains("MLNETSIAMESE_DATA", e.Message);
    }

    [Fact]
    public void NotFoundListsThePlacesAndHowToGetIt()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => DefaultData.LocateFashionMnist(null, null, new[] { _dir.File("x") }));
        Assert.Contains(_dir.File("x"), e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("--data", e.Message);
    }

    [Fact]
    public void CatalogLoadsEachSource()
    {
        var ml = new MLContext(seed: 1);
        string fashion = MakeFashion(_dir.File("f"));
        Assert.Equal(new[] { "Coat", "Sandal" }, Rows.Read(ml.Data.LoadFashionMnist(fashion, DataSplit.Test)).Select(r => r.Label));
        Assert.Equal(new[] { "4", "5" }, Rows.Read(ml.Data.LoadIdx(Path.Combine(fashion, "train-images-idx3-ubyte.gz"),
            Path.Combine(fashion, "train-labels-idx1-ubyte.gz"))).Select(r => r.Label));

        ImageFiles.Png(_dir.File("img/cats/1.png"), 4, 4, SKColors.White);
        ImageFiles.Png(_dir.File("img/dogs/1.png"), 4, 4, SKColors.Black);
        var folder = ml.Data.LoadImageFolder(_dir.File("img"), 4, 4, grayscale: true);
        Assert.Equal(new[] { "cats", "dogs" }, Rows.Read(folder).Select(r => r.Label));

        var listing = ml.Data.LoadImageFolderListing(_dir.File("img"));
        var pixels = ml.Transforms.LoadImagePixels(4, 4, grayscale: true).Fit(listing).Transform(listing);
        Assert.Equal(Rows.Read(folder).Select(r => r.Features), Rows.Read(pixels).Select(r => r.Features));
    }

    [Fact]
    public void DefaultLoadUsesTheInstalledPackageWhenPresent()
    {
        if (!FashionMnist.IsPresentIn(DefaultData.DebianPackagePath) || Environment.GetEnvironmentVariable(DefaultData.EnvironmentVariable) != null
            || Directory.Exists(Path.Combine(Directory.GetCurrentDirectory(), "data", "fashion-mnist")))
        {
            Assert.False(SharedData.IsCi && !FashionMnist.IsPresentIn(DefaultData.DebianPackagePath), "CI must install dataset-fashion-mnist");
            return;
        }
        Assert.Equal(DefaultData.DebianPackagePath, DefaultData.LocateFashionMnist());
    }
}
