using Microsoft.ML;
using MlNetSiamese.Encoders;
using MlNetSiamese.Tests.Support;
using TorchSharp;
using Xunit;

namespace MlNetSiamese.Tests.Encoders;

/// <summary>
/// The test-time flip of <see cref="Encoder.Embed"/>, checked against mirror images made with loops and embedded by
/// the same weights in float64.
/// </summary>
public class TestTimeAugmentationTests
{
    private const int Channels = 3, Height = 10, Width = 9, Rows = 5, Dim = 8;   // not square: a swapped axis would show

    private static EncoderConfig Config(bool flip) => new()
    {
        Kind = EncoderKind.ConvNet, Channels = Channels, Height = Height, Width = Width, InputSize = Channels * Height * Width,
        Widths = [12, 20], EmbeddingDimension = Dim, TestTimeFlip = flip,   // no multiple of a SIMD block
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

    private static float[] Embed(Encoder encoder, float[] images)
    {
        var output = new float[Rows * Dim];
        encoder.Embed(images, Rows, output);
        return output;
    }

    /// <summary>Same generator seed, so the same weights whatever the test-time flags.</summary>
    private static Encoder Initialised(bool flip)
    {
        using var g = new torch.Generator(11);
        var encoder = new Encoder(Config(flip), init: g);
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
        using var flipped = Initialised(flip: true);
        using var plain = Initialised(flip: false);
        double withFlip = MaxDifference(Embed(flipped, images), Embed(flipped, Mirrored(images)));
        double without = MaxDifference(Embed(plain, images), Embed(plain, Mirrored(images)));
        Assert.True(withFlip < 1e-5, $"flip-averaged embeddings of mirror images differ by {withFlip}");
        Assert.True(without > 1e-3, $"without the flip mirror images should embed differently (max difference {without})");
    }

    [Fact]
    public void TheFlipEmbeddingIsTheNormalisedSumOfBothViews()
    {
        var images = Images(2);
        using var flipped = Initialised(flip: true);
        using var plain = Initialised(flip: false);
        var expected = Float64Reference.Normalised(Sum(Reference(plain, images), Reference(plain, Mirrored(images))), Dim);
        Assert.True(Float64Reference.MaxDifference(Embed(flipped, images), expected) < 1e-5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheFlipIsSavedWithTheModelAndOldConfigurationsReadWithoutIt(bool flip)
    {
        var ml = new MLContext(1);
        var train = Synthetic.Load(ml, Synthetic.Images(classes: 3, perClass: 8, channels: 3, size: 8, seed: 1));
        var model = ml.Transforms.SiameseEmbed(new SiameseEmbeddingOptions
        {
            ImageChannels = 3, ImageHeight = 8, ImageWidth = 8, Encoder = { Widths = [4, 8], EmbeddingDimension = 4 },
            Objective = { ClassesPerBatch = 3, SamplesPerClass = 4 }, Training = { Epochs = 1, Seed = 1 }, Inference = { TestTimeFlip = flip },
        }).Fit(train);
        Assert.Equal(flip, model.Encoder.TestTimeFlip);
        string path = Path.Combine(Models.TempDir(), $"tta-{flip}.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = (SiameseEmbeddingTransformer)ml.Model.Load(path, out _);
        Assert.Equal(flip, loaded.Encoder.TestTimeFlip);
        Assert.Equal(0f, Models.MaxAbsDifference(Synthetic.Embeddings(model.Transform(train), "Embedding"), Synthetic.Embeddings(loaded.Transform(train), "Embedding")));

        // A configuration as version 1.1 models hold it, written before the option existed: it reads as false.
        const string old = "{\"Kind\":\"ConvNet\",\"Channels\":3,\"Height\":10,\"Width\":10,\"InputSize\":300,\"Widths\":[8,16],\"EmbeddingDimension\":8}";
        Assert.False(EncoderConfig.FromJson(old).TestTimeFlip);
    }

    [Theory]
    [InlineData("TestTimeShift")]
    [InlineData("WhitenedStem")]
    public void ConfigurationsWithARemovedSettingAreRefusedNamingIt(string setting)
    {
        string json = "{\"Kind\":\"FastConvNet\",\"Channels\":3,\"Height\":10,\"Width\":10,\"InputSize\":300,\"Widths\":[24,16],\"EmbeddingDimension\":8,\"" + setting + "\":true}";
        Assert.Contains(setting, Assert.Throws<InvalidDataException>(() => EncoderConfig.FromJson(json)).Message);
    }

    [Fact]
    public void PlainVectorsCannotBeFlipped()
    {
        var options = new SiameseEmbeddingOptions { Inference = { TestTimeFlip = true } };
        Assert.Contains("Inference.TestTimeFlip", Assert.Throws<ArgumentOutOfRangeException>(options.Validate).Message);
        var vector = Config(flip: true) with { Kind = EncoderKind.Mlp, Channels = 0, Height = 0, Width = 0, Widths = [8] };
        Assert.Contains("TestTimeFlip", Assert.Throws<InvalidDataException>(vector.Validate).Message);
    }
}
