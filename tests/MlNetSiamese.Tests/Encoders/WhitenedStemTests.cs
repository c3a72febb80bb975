using Microsoft.ML;
using MlNetSiamese.Encoders;
using MlNetSiamese.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Encoders;

public class WhitenedStemTests
{
    private static EncoderConfig Config(int channels = 3, int size = 8) => new()
    {
        Kind = EncoderKind.FastConvNet, Channels = channels, Height = size, Width = size, InputSize = channels * size * size,
        Widths = [8 * channels, 8, 8], EmbeddingDimension = 4, WhitenedStem = true,
    };

    /// <summary>Images whose neighbouring pixels and channels are strongly correlated, offset from zero, as photos are.</summary>
    private static Tensor CorrelatedImages(int n, int channels, int size, int seed)
    {
        using var g = new Generator((ulong)seed);
        using var small = rand(n, 1, size / 2, size / 2, generator: g);
        using var smooth = nn.functional.interpolate(small, new long[] { size, size }, mode: InterpolationMode.Bilinear, align_corners: false);
        using var noise = rand(n, channels, size, size, generator: g);
        return smooth.expand(n, channels, size, size).mul(0.8).add(noise.mul(0.2)).add(0.3);
    }

    [Fact]
    public void TheStemWhitensTheTrainingPatchesAndItsSecondHalfIsTheFirstNegated()
    {
        using var encoder = new Encoder(Config());
        var stem = encoder.Network.modules().OfType<Conv2d>().First();
        Assert.Equal(new long[] { 24, 3, 2, 2 }, stem.weight!.shape);
        Assert.False(stem.weight.requires_grad);                          // fixed; only its bias trains
        Assert.True(stem.bias!.requires_grad);

        using var images = CorrelatedImages(400, 3, 8, seed: 1);
        ((IInitializesFromData)encoder.Network).InitializeFromData(images);

        using var _ = no_grad();
        using var nhwc = ChannelsLastInput.Of(images);                     // as the network feeds it
        using var response = stem.forward(nhwc);                           // [N, 24, 7, 7], before the GELU
        using var first = response.narrow(1, 0, 12).permute(0, 2, 3, 1).reshape(-1, 12).to_type(ScalarType.Float64);
        using var second = response.narrow(1, 12, 12).permute(0, 2, 3, 1).reshape(-1, 12).to_type(ScalarType.Float64);
        Assert.True(first.add(second).abs().max().item<double>() < 1e-4, "the second 12 filters should be the first 12 negated");
        var mean = first.mean(new long[] { 0 }).data<double>().ToArray();
        Assert.All(mean, m => Assert.InRange(m, -1e-3, 1e-3));              // centred
        using var centred = first - first.mean(new long[] { 0 });
        using var cov = centred.t().matmul(centred).div(first.shape[0]);
        var c = cov.data<double>().ToArray();
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < 12; j++)
                Assert.InRange(c[i * 12 + j], i == j ? 0.9 : -0.02, i == j ? 1.001 : 0.02);   // unit variance (less eps), uncorrelated
    }

    [Fact]
    public void TrainedWithAWhitenedStemTheModelSavesLoadsAndFoldsToTheSameEmbeddings()
    {
        var ml = new MLContext(1);
        var data = Synthetic.Load(ml, Synthetic.Images(classes: 3, perClass: 12, channels: 3, size: 8, seed: 1));
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.SiameseEmbed(new SiameseEmbeddingOptions
        {
            ImageChannels = 3, ImageHeight = 8, ImageWidth = 8, Encoder = EncoderKind.FastConvNet, EncoderWidths = [24, 8, 8], WhitenedStem = true,
            EmbeddingDimension = 4, Epochs = 2, Seed = 1, ClassesPerBatch = 3, SamplesPerClass = 4,
        })).Fit(data);
        var encoder = model.LastTransformer.EncoderModel;
        Assert.True(encoder.Config.WhitenedStem);
        Assert.Equal(new long[] { 24, 3, 2, 2 }, encoder.Network.modules().OfType<Conv2d>().First().weight!.shape);
        var expected = Synthetic.Embeddings(model.Transform(data), "Embedding");

        var path = Path.Combine(Models.TempDir(), "whitened.zip");
        ml.Model.Save(model, data.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        Assert.Equal(0f, Models.MaxAbsDifference(expected, Synthetic.Embeddings(loaded.Transform(data), "Embedding")));

        // The folded network (what Transform runs) against the trained weights in float64.
        var rows = Synthetic.Embeddings(data, "Features");
        var inputs = rows.SelectMany(r => r).ToArray();
        var reference = Float64Reference.Embeddings(encoder, inputs, rows.Length);
        Assert.True(Float64Reference.MaxDifference(expected.SelectMany(r => r).ToArray(), reference) < 1e-5);
        using var folded = encoder.ForInference();
        var fast = new float[rows.Length * 4];
        folded.Embed(inputs, rows.Length, fast);
        Assert.True(Float64Reference.MaxDifference(fast, reference) < 1e-5);
    }

    [Fact]
    public void AWrongStemWidthOrEncoderIsRefusedNamingIt()
    {
        var e = Assert.Throws<InvalidDataException>(() => (Config() with { Widths = [16, 8] }).Validate());
        Assert.Contains("WhitenedStem", e.Message);
        Assert.Contains("24", e.Message);
        Assert.Contains("FastConvNet", Assert.Throws<InvalidDataException>(() => (Config() with { Kind = EncoderKind.ConvNet }).Validate()).Message);

        var options = new SiameseEmbeddingOptions { ImageChannels = 1, ImageHeight = 8, ImageWidth = 8, Encoder = EncoderKind.FastConvNet, WhitenedStem = true, EncoderWidths = [16, 8] };
        Assert.Contains(nameof(SiameseEmbeddingOptions.EncoderWidths), Assert.Throws<ArgumentOutOfRangeException>(options.Validate).Message);
        options = new SiameseEmbeddingOptions { ImageChannels = 1, ImageHeight = 8, ImageWidth = 8, Encoder = EncoderKind.ConvNet, WhitenedStem = true };
        Assert.Contains(nameof(SiameseEmbeddingOptions.WhitenedStem), Assert.Throws<ArgumentOutOfRangeException>(options.Validate).Message);
        options = new SiameseEmbeddingOptions { ImageChannels = 1, ImageHeight = 8, ImageWidth = 8, Encoder = EncoderKind.FastConvNet, WhitenedStem = true };
        Assert.Equal(new[] { 8, 32, 128, 128 }, options.ToEncoderConfig(64).Widths);   // the default widths take the stem's
    }
}
