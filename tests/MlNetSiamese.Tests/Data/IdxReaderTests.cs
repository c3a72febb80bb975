using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MlNetSiamese.Tests.Data;

public class IdxReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private (string Images, string Labels) WriteSet(bool gzip, byte[]? images = null, byte[]? labels = null)
    {
        string ext = gzip ? ".gz" : "";
        images ??= IdxFiles.Images(3, 2, 3, (i, p) => (byte)(i * 10 + p));
        labels ??= IdxFiles.Labels(new byte[] { 9, 0, 3 });
        return (IdxFiles.Write(_dir.File("train-images-idx3-ubyte" + ext), images, gzip),
                IdxFiles.Write(_dir.File("train-labels-idx1-ubyte" + ext), labels, gzip));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesAndClassNames(bool gzip)
    {
        var (images, labels) = WriteSet(gzip);
        var view = IdxReader.Load(images, labels, FashionMnist.ClassNames);

        Assert.Equal(3, view.GetRowCount());
        Assert.Equal((1, 2, 3), (view.Channels, view.Height, view.Width));
        Assert.Equal(TextDataViewType.Instance, view.Schema["Label"].Type);
        var featuresType = Assert.IsType<VectorDataViewType>(view.Schema["Features"].Type);
        Assert.Equal(NumberDataViewType.Single, featuresType.ItemType);
        Assert.Equal(6, featuresType.Size);

        var rows = Rows.Read(view);
        Assert.Equal(new[] { "Ankle boot", "T-shirt/top", "Dress" }, rows.Select(r => r.Label));
        Assert.Equal(new float[] { 20, 21, 22, 23, 24, 25 }.Select(v => v * (1f / 255f)), rows[2].Features);
    }

    [Fact]
    public void FashionMnistLoadFindsSplitFilesGzippedOrNot()
    {
        WriteSet(gzip: true);
        IdxFiles.Write(_dir.File("t10k-images-idx3-ubyte"), IdxFiles.Images(2, 28, 28, (i, p) => 255), gzip: false);
        IdxFiles.Write(_dir.File("t10k-labels-idx1-ubyte"), IdxFiles.Labels(new byte[] { 1, 2 }), gzip: false);

        Assert.True(FashionMnist.IsPresentIn(_dir.Path));
        Assert.Equal(3, FashionMnist.Load(_dir.Path, DataSplit.Train).Count);
        var test = FashionMnist.Load(_dir.Path, DataSplit.Test);
        Assert.Equal(784, test.FeatureLength);
        Assert.All(Rows.Read(test), r => Assert.All(r.Features, v => Assert.Equal(1f, v)));
        Assert.Equal(new[] { "1", "2" }, Rows.Read(FashionMnist.LoadMnist(_dir.Path, DataSplit.Test)).Select(r => r.Label));
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_dir.Path, DataSplit.Test));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WrongMagicNumberIsRejected(bool gzip)
    {
        var (images, labels) = WriteSet(gzip, images: IdxFiles.Images(3, 2, 3, (i, p) => 0, magic: 0x801));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Load(images, labels, FashionMnist.ClassNames));
        Assert.Contains(images, e.Message);
        Assert.Contains("magic", e.Message);

        (images, labels) = WriteSet(gzip, labels: IdxFiles.Labels(new byte[] { 1, 2, 3 }, magic: 0x803));
        e = Assert.Throws<InvalidDataException>(() => IdxReader.Load(images, labels, FashionMnist.ClassNames));
        Assert.Contains(labels, e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedFileIsRejected(bool gzip)
    {
        var full = IdxFiles.Images(3, 2, 3, (i, p) => 1);
        var (images, labels) = WriteSet(gzip, images: full[..^2]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Load(images, labels, FashionMnist.ClassNames));
        Assert.Contains(images, e.Message);
        Assert.Contains("truncated", e.Message);

        (images, labels) = WriteSet(gzip, images: full[..10]);
        e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(images));
        Assert.Contains("truncated", e.Message);

        (images, labels) = WriteSet(gzip, labels: IdxFiles.Labels(new byte[] { 1, 2 }, declaredCount: 3));
        e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(labels));
        Assert.Contains(labels, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void CorruptedGzipIsRejectedNamingTheFile()
    {
        var path = IdxFiles.Write(_dir.File("x.gz"), IdxFiles.Images(50, 28, 28, (i, p) => (byte)(i * p)), gzip: true);
        var bytes = File.ReadAllBytes(path);
        for (int i = 20; i < bytes.Length - 8; i += 7)
            bytes[i] ^= 0x5a;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TrailingBytesAreRejected()
    {
        var (images, _) = WriteSet(false, images: IdxFiles.Images(3, 2, 3, (i, p) => 1).Concat(new byte[] { 7 }).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(images));
        Assert.Contains("extra bytes", e.Message);
    }

    [Fact]
    public void LabelImageCountMismatchIsRejected()
    {
        var (images, labels) = WriteSet(true, labels: IdxFiles.Labels(new byte[] { 1, 2 }));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Load(images, labels, FashionMnist.ClassNames));
        Assert.Contains("2 labels", e.Message);
        Assert.Contains("3 images", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsRejected()
    {
        var (images, labels) = WriteSet(true, labels: IdxFiles.Labels(new byte[] { 1, 10, 2 }));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Load(images, labels, FashionMnist.ClassNames));
        Assert.Contains("label 10 of item 1", e.Message);
        Assert.Contains(labels, e.Message);
    }

    [Fact]
    public void ShuffledCursorVisitsEveryRowOnce()
    {
        var (images, labels) = WriteSet(false,
            IdxFiles.Images(10, 1, 1, (i, p) => (byte)i), IdxFiles.Labels(Enumerable.Range(0, 10).Select(i => (byte)i).ToArray()));
        var view = IdxReader.Load(images, labels, FashionMnist.MnistClassNames);
        var rows = Rows.Read(view, new Random(1));
        Assert.NotEqual(Enumerable.Range(0, 10).Select(i => i.ToString()), rows.Select(r => r.Label));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), rows.Select(r => r.Label).OrderBy(l => l));
        Assert.All(rows, r => Assert.Equal(int.Parse(r.Label) / 255f, r.Features[0], 6));
    }

    [Fact]
    public void WorksInAnMlNetPipeline()
    {
        var (images, labels) = WriteSet(true);
        var ml = new MLContext(seed: 1);
        var view = IdxReader.Load(images, labels, FashionMnist.ClassNames);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(view).Transform(view);
        var cached = ml.Data.Cache(ml.Data.ShuffleRows(keyed, seed: 3));
        Assert.Equal(3, cached.Preview().RowView.Length);
        var split = ml.Data.TrainTestSplit(view, testFraction: 0.34, seed: 2);
        Assert.Equal(3, split.TrainSet.Preview().RowView.Length + split.TestSet.Preview().RowView.Length);
    }
}
