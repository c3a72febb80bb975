using Microsoft.ML;
using MlNetSiamese.Encoders;
using MlNetSiamese.Tests.Support;
using TorchSharp;
using Xunit;

namespace MlNetSiamese.Tests.Encoders;

public class TestTimeFlipTests
{
    private const int Channels = 3, Size = 10, Rows = 6, Dim = 8;

    private static EncoderConfig Config(bool flip) => new()
    {
        Kind = EncoderKind.ConvNet, Channels = Channels, Height = Size, Width = Size, InputSize = Channels * Size * Size,
        Widths = [8, 16], EmbeddingDimension = Dim, TestTimeFlip = flip,
    };

    private static float[] Images(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Rows * Channels * Size * Size).Select(_ => (float)random.NextDouble()).ToArray();
    }

    private static float[] Mirrored(float[] images)
    {
        var m = new float[images.Length];
        for (int r = 0; r < images.Length / Size; r++)   // every image row of every channel and image
            for (int x = 0; x < Size; x++) m[r * Size + x] = images[r * Size + Size - 1 - x];
        return m;
    }

    private static float[] Embed(Encoder encoder, float[] images)
    {
        var output = new float[Rows * Dim];
        encoder.Embed(images, Rows, output);
        return output;
    }

    private static Encoder Initialised(bool flip)
    {
        using var g = new torch.Generator(11);
        var encoder = new Encoder(Config(flip), init: g);
        encoder.Network.eval();
        return encoder;
    }

    [Fact]
    public void AnImageAndItsMirrorImageGetTheSameEmbeddingOnlyWithTheFlip()
    {
        var images = Images(1);
        using var flipped = Initialised(flip: true);
        using var plain = Initialised(flip: false);
        double withFlip = Embed(flipped, images).Zip(Embed(flipped, Mirrored(images)), (a, b) => Math.Abs(a - b)).Max();
        double without = Embed(plain, images).Zip(Embed(plain, Mirrored(images)), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(withFlip < 1e-5, $"flip-averaged embeddings of mirror images differ by {withFlip}");
        Assert.True(without > 1e-3, $"without the flip mirror images should embed differently (max difference {without})");
    }

    [Fact]
    public void TheEmbeddingIsTheNormalisedMeanOfBothViews()
    {
        var images = Images(2);
        using var flipped = Initialised(flip: true);
        using var plain = Initialised(flip: false);   // same generator seed: the same weights
        var actual = Embed(flipped, images);
        var a = Embed(plain, images);
        var b = Embed(plain, Mirrored(images));
        for (int r = 0; r < Rows; r++)
        {
            var sum = Enumerable.Range(0, Dim).Select(j => a[r * Dim + j] + b[r * Dim + j]).ToArray();
            double norm = Math.Sqrt(sum.Sum(v => (double)v * v));
            for (int j = 0; j < Dim; j++) Assert.Equal(sum[j] / norm, actual[r * Dim + j], 5);
        }
    }

    [Fact]
    public void TheFlipIsSavedWithTheModelAndOldConfigurationsReadWithoutIt()
    {
        var ml = new MLContext(1);
        var train = Synthetic.Load(ml, Synthetic.Images(classes: 3, perClass: 8, channels: 3, size: 8, seed: 1));
        var model = ml.Transforms.SiameseEmbed(new SiameseEmbeddingOptions
        {
            ImageChannels = 3, ImageHeight = 8, ImageWidth = 8, EncoderWidths = [4, 8], EmbeddingDimension = 4, Epochs = 1, Seed = 1,
            ClassesPerBatch = 3, SamplesPerClass = 4, TestTimeFlip = true,
        }).Fit(train);
        Assert.True(model.Encoder.TestTimeFlip);
        string path = Path.Combine(Models.TempDir(), "flip.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        Assert.True(((SiameseEmbeddingTransformer)loaded).Encoder.TestTimeFlip);
        Assert.Equal(0f, Models.MaxAbsDifference(Synthetic.Embeddings(model.Transform(train), "Embedding"), Synthetic.Embeddings(loaded.Transform(train), "Embedding")));

        // A configuration as version 1.1 models hold it, written before the option existed: it reads as false.
        const string old = "{\"Kind\":\"ConvNet\",\"Channels\":3,\"Height\":10,\"Width\":10,\"InputSize\":300,\"Widths\":[8,16],\"EmbeddingDimension\":8}";
        Assert.False(EncoderConfig.FromJson(old).TestTimeFlip);
    }

    [Fact]
    public void PlainVectorsCannotBeFlipped()
    {
        var options = new SiameseEmbeddingOptions { TestTimeFlip = true };
        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Contains(nameof(SiameseEmbeddingOptions.TestTimeFlip), e.Message);
        var config = Config(flip: true) with { Kind = EncoderKind.Mlp, Channels = 0, Height = 0, Width = 0, Widths = [8] };
        Assert.Contains("TestTimeFlip", Assert.Throws<InvalidDataException>(config.Validate).Message);
    }
}
