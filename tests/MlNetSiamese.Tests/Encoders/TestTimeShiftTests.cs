using Microsoft.ML;
using MlNetSiamese.Encoders;
using MlNetSiamese.Tests.Support;
using TorchSharp;
using Xunit;

namespace MlNetSiamese.Tests.Encoders;

public class TestTimeShiftTests
{
    private const int Channels = 3, Height = 10, Width = 9, Rows = 5, Dim = 8;

    private static EncoderConfig Config(bool shift, bool flip) => new()
    {
        Kind = EncoderKind.FastConvNet, Channels = Channels, Height = Height, Width = Width, InputSize = Channels * Height * Width,
        Widths = [4, 8], EmbeddingDimension = Dim, TestTimeShift = shift, TestTimeFlip = flip,
    };

    private static float[] Images(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Rows * Channels * Height * Width).Select(_ => (float)random.NextDouble()).ToArray();
    }

    /// <summary>Every image moved by (dy, dx) pixels, the border reflected (index -1 reads 1, index n reads n - 2), written out by hand.</summary>
    private static float[] Shifted(float[] images, int dy, int dx)
    {
        static int Reflect(int i, int n) => i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
        var s = new float[images.Length];
        for (int plane = 0; plane < Rows * Channels; plane++)
            for (int y = 0; y < Height; y++)
                for (int x = 0; x < Width; x++)
                    s[(plane * Height + y) * Width + x] = images[(plane * Height + Reflect(y - dy, Height)) * Width + Reflect(x - dx, Width)];
        return s;
    }

    private static float[] Mirrored(float[] images)
    {
        var m = new float[images.Length];
        for (int r = 0; r < images.Length / Width; r++)
            for (int x = 0; x < Width; x++) m[r * Width + x] = images[r * Width + Width - 1 - x];
        return m;
    }

    private static float[] Embed(Encoder encoder, float[] images)
    {
        var output = new float[Rows * Dim];
        encoder.Embed(images, Rows, output);
        return output;
    }

    private static Encoder Initialised(bool shift, bool flip)
    {
        using var g = new torch.Generator(5);
        var encoder = new Encoder(Config(shift, flip), init: g);
        encoder.Network.eval();
        return encoder;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheEmbeddingAddsHalfOfEachShiftedViewToTheImagesOwn(bool flip)
    {
        var images = Images(3);
        using var shifted = Initialised(shift: true, flip);
        using var plain = Initialised(shift: false, flip: false);   // same generator seed: the same weights
        float[] View(float[] x) => flip ? Embed(plain, x).Zip(Embed(plain, Mirrored(x)), (a, b) => a + b).ToArray() : Embed(plain, x);
        var own = View(images);
        var downRight = View(Shifted(images, 1, 1));
        var upLeft = View(Shifted(images, -1, -1));
        var actual = Embed(shifted, images);
        for (int r = 0; r < Rows; r++)
        {
            var sum = Enumerable.Range(0, Dim).Select(j => own[r * Dim + j] + 0.5f * (downRight[r * Dim + j] + upLeft[r * Dim + j])).ToArray();
            double norm = Math.Sqrt(sum.Sum(v => (double)v * v));
            for (int j = 0; j < Dim; j++) Assert.Equal(sum[j] / norm, actual[r * Dim + j], 5);
        }
        Assert.True(actual.Zip(Embed(plain, images), (a, b) => Math.Abs(a - b)).Max() > 1e-3f, "the shifted views should change the embedding");
    }

    [Fact]
    public void TheShiftIsSavedWithTheModelAndOldConfigurationsReadWithoutIt()
    {
        var ml = new MLContext(1);
        var train = Synthetic.Load(ml, Synthetic.Images(classes: 3, perClass: 8, channels: 3, size: 8, seed: 1));
        var model = ml.Transforms.SiameseEmbed(new SiameseEmbeddingOptions
        {
            ImageChannels = 3, ImageHeight = 8, ImageWidth = 8, EncoderWidths = [4, 8], EmbeddingDimension = 4, Epochs = 1, Seed = 1,
            ClassesPerBatch = 3, SamplesPerClass = 4, TestTimeShift = true,
        }).Fit(train);
        Assert.True(model.Encoder.TestTimeShift);
        string path = Path.Combine(Models.TempDir(), "shift.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        Assert.True(((SiameseEmbeddingTransformer)loaded).Encoder.TestTimeShift);
        Assert.Equal(0f, Models.MaxAbsDifference(Synthetic.Embeddings(model.Transform(train), "Embedding"), Synthetic.Embeddings(loaded.Transform(train), "Embedding")));

        const string old = "{\"Kind\":\"ConvNet\",\"Channels\":3,\"Height\":10,\"Width\":10,\"InputSize\":300,\"Widths\":[8,16],\"EmbeddingDimension\":8,\"TestTimeFlip\":true}";
        Assert.False(EncoderConfig.FromJson(old).TestTimeShift);
    }

    [Fact]
    public void PlainVectorsAndOnePixelImagesCannotBeShifted()
    {
        var options = new SiameseEmbeddingOptions { TestTimeShift = true };
        Assert.Contains(nameof(SiameseEmbeddingOptions.TestTimeShift), Assert.Throws<ArgumentOutOfRangeException>(options.Validate).Message);
        var vector = Config(shift: true, flip: false) with { Kind = EncoderKind.Mlp, Channels = 0, Height = 0, Width = 0, Widths = [8] };
        Assert.Contains("TestTimeShift", Assert.Throws<InvalidDataException>(vector.Validate).Message);
        var thin = Config(shift: true, flip: false) with { Kind = EncoderKind.Mlp, Height = 1, Width = 27, InputSize = 81, Widths = [8] };
        Assert.Contains("2 x 2", Assert.Throws<InvalidDataException>(thin.Validate).Message);
    }
}
