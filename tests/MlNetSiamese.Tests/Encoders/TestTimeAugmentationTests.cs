using Microsoft.ML;
using MlNetSiamese.Encoders;
using MlNetSiamese.Tests.Support;
using TorchSharp;
using Xunit;

namespace MlNetSiamese.Tests.Encoders;

/// <summary>
/// The test-time flip and shift of <see cref="Encoder.Embed"/>, checked against their views computed by hand (mirrored
/// and shifted with loops) and embedded by the same weights in float64.
/// </summary>
public class TestTimeAugmentationTests
{
    private const int Channels = 3, Height = 10, Width = 9, Rows = 5, Dim = 8;   // not square: a swapped axis would show

    private static EncoderConfig Config(bool flip, bool shift) => new()
    {
        Kind = EncoderKind.ConvNet, Channels = Channels, Height = Height, Width = Width, InputSize = Channels * Height * Width,
        Widths = [12, 20], EmbeddingDimension = Dim, TestTimeFlip = flip, TestTimeShift = shift,   // no multiple of a SIMD block
    };

    private static float[] Images(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Rows * Channels * Height * Width).Select(_ => (float)random.NextDouble()).ToArray();
    }

    private static float[] Mirrored(float[] images)
    {
        var m = new float[images.Length];
        for (int r = 0; r < images.Length / Width; r++)   // every image row of every channel and image
            for (int x = 0; x < Width; x++) m[r * Width + x] = images[r * Width + Width - 1 - x];
        return m;
    }

    /// <summary>Every image moved by (dy, dx) pixels, the border reflected (index -1 reads 1, index n reads n - 2).</summary>
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

    private static float[] Embed(Encoder encoder, float[] images)
    {
        var output = new float[Rows * Dim];
        encoder.Embed(images, Rows, output);
        return output;
    }

    /// <summary>Same generator seed, so the same weights whatever the test-time flags.</summary>
    private static Encoder Initialised(bool flip, bool shift)
    {
        using var g = new torch.Generator(11);
        var encoder = new Encoder(Config(flip, shift), init: g);
        encoder.Network.eval();
        return encoder;
    }

    private static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    /// <summary>The float64 embeddings of <paramref name="images"/> by <paramref name="encoder"/>'s network alone (no test-time views).</summary>
    private static double[] Reference(Encoder encoder, float[] images) => Float64Reference.Embeddings(encoder, images, Rows);

    private static double[] Sum(double[] a, double[] b) => a.Zip(b, (x, y) => x + y).ToArray();

    [Fact]
    public void AnImageAndItsMirrorImageGetTheSameEmbeddingOnlyWithTheFlip()
    {
        var images = Images(1);
        using var flipped = Initialised(flip: true, shift: false);
        using var plain = Initialised(flip: false, shift: false);
        double withFlip = MaxDifference(Embed(flipped, images), Embed(flipped, Mirrored(images)));
        double without = MaxDifference(Embed(plain, images), Embed(plain, Mirrored(images)));
        Assert.True(withFlip < 1e-5, $"flip-averaged embeddings of mirror images differ by {withFlip}");
        Assert.True(without > 1e-3, $"without the flip mirror images should embed differently (max difference {without})");
    }

    [Fact]
    public void TheFlipEmbeddingIsTheNormalisedSumOfBothViews()
    {
        var images = Images(2);
        using var flipped = Initialised(flip: true, shift: false);
        using var plain = Initialised(flip: false, shift: false);
        var expected = Float64Reference.Normalised(Sum(Reference(plain, images), Reference(plain, Mirrored(images))), Dim);
        Assert.True(Float64Reference.MaxDifference(Embed(flipped, images), expected) < 1e-5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheShiftEmbeddingAddsHalfOfEachShiftedViewToTheImagesOwn(bool flip)
    {
        var images = Images(3);
        using var shifted = Initialised(flip, shift: true);
        using var plain = Initialised(flip: false, shift: false);
        double[] View(float[] x) => flip ? Sum(Reference(plain, x), Reference(plain, Mirrored(x))) : Reference(plain, x);
        var own = View(images);
        var downRight = View(Shifted(images, 1, 1));
        var upLeft = View(Shifted(images, -1, -1));
        var actual = Embed(shifted, images);
        var expected = Float64Reference.Normalised(own.Select((v, i) => v + 0.5 * (downRight[i] + upLeft[i])).ToArray(), Dim);
        Assert.True(Float64Reference.MaxDifference(actual, expected) < 1e-5);
        Assert.True(Float64Reference.MaxDifference(actual, Float64Reference.Normalised(own, Dim)) > 1e-3, "the shifted views should change the embedding");
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void TheFlagsAreSavedWithTheModelAndOldConfigurationsReadWithoutThem(bool flip, bool shift)
    {
        var ml = new MLContext(1);
        var train = Synthetic.Load(ml, Synthetic.Images(classes: 3, perClass: 8, channels: 3, size: 8, seed: 1));
        var model = ml.Transforms.SiameseEmbed(new SiameseEmbeddingOptions
        {
            ImageChannels = 3, ImageHeight = 8, ImageWidth = 8, EncoderWidths = [4, 8], EmbeddingDimension = 4, Epochs = 1, Seed = 1,
            ClassesPerBatch = 3, SamplesPerClass = 4, TestTimeFlip = flip, TestTimeShift = shift,
        }).Fit(train);
        Assert.Equal((flip, shift), (model.Encoder.TestTimeFlip, model.Encoder.TestTimeShift));
        string path = Path.Combine(Models.TempDir(), $"tta-{flip}-{shift}.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = (SiameseEmbeddingTransformer)ml.Model.Load(path, out _);
        Assert.Equal((flip, shift), (loaded.Encoder.TestTimeFlip, loaded.Encoder.TestTimeShift));
        Assert.Equal(0f, Models.MaxAbsDifference(Synthetic.Embeddings(model.Transform(train), "Embedding"), Synthetic.Embeddings(loaded.Transform(train), "Embedding")));

        // A configuration as version 1.1 models hold it, written before either option existed: both read as false.
        const string old = "{\"Kind\":\"ConvNet\",\"Channels\":3,\"Height\":10,\"Width\":10,\"InputSize\":300,\"Widths\":[8,16],\"EmbeddingDimension\":8}";
        var config = EncoderConfig.FromJson(old);
        Assert.False(config.TestTimeFlip || config.TestTimeShift);
    }

    [Theory]
    [InlineData(true, false, nameof(SiameseEmbeddingOptions.TestTimeFlip))]
    [InlineData(false, true, nameof(SiameseEmbeddingOptions.TestTimeShift))]
    public void PlainVectorsCannotBeFlippedOrShifted(bool flip, bool shift, string option)
    {
        var options = new SiameseEmbeddingOptions { TestTimeFlip = flip, TestTimeShift = shift };
        Assert.Contains(option, Assert.Throws<ArgumentOutOfRangeException>(options.Validate).Message);
        var vector = Config(flip, shift) with { Kind = EncoderKind.Mlp, Channels = 0, Height = 0, Width = 0, Widths = [8] };
        Assert.Contains(option, Assert.Throws<InvalidDataException>(vector.Validate).Message);
    }

    [Fact]
    public void ImagesOneRowHighCannotBeShifted()
    {
        var thin = Config(flip: false, shift: true) with { Kind = EncoderKind.Mlp, Height = 1, Width = 27, InputSize = 81, Widths = [8] };
        Assert.Contains("2 x 2", Assert.Throws<InvalidDataException>(thin.Validate).Message);
    }
}
