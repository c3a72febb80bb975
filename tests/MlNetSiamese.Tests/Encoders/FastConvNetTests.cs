using Microsoft.ML;
using MlNetSiamese.Encoders;
using MlNetSiamese.Tests.Support;
using TorchSharp.Modules;
using Xunit;

namespace MlNetSiamese.Tests.Encoders;

public class FastConvNetTests
{
    [Fact]
    public void BatchNormScalesStayOneThroughTrainingSoTheyFoldThroughThePools()
    {
        var ml = new MLContext(1);
        var train = Synthetic.Load(ml, Synthetic.Images(classes: 3, perClass: 12, channels: 3, size: 8, seed: 1));
        var model = ml.Transforms.SiameseEmbed(new SiameseEmbeddingOptions
        {
            ImageChannels = 3, ImageHeight = 8, ImageWidth = 8, Encoder = { Kind = EncoderKind.FastConvNet, Widths = [4, 8, 8], EmbeddingDimension = 4 },
            Objective = { ClassesPerBatch = 3, SamplesPerClass = 4 },
            Training = { Epochs = 2, Seed = 1, Optimizer = OptimizerKind.AdamW, WeightDecay = 0.1f, LearningRate = 0.05f },
        }).Fit(train);

        var norms = model.EncoderModel.Network.modules().OfType<BatchNorm2d>().Distinct().ToList();
        Assert.Equal(5, norms.Count);   // stem + two per stage
        foreach (var norm in norms)
        {
            Assert.False(norm.weight!.requires_grad);
            Assert.All(norm.weight.data<float>().ToArray(), w => Assert.Equal(1f, w));
            Assert.Contains(norm.bias!.data<float>().ToArray(), b => b != 0f);   // the shifts did train
        }
    }

    [Theory]
    [InlineData(EncoderKind.ConvNet)]
    [InlineData(EncoderKind.ResNet)]
    [InlineData(EncoderKind.FastConvNet)]
    public void EachParameterIsListedOnceSoTheOptimiserStepsItOnce(EncoderKind kind)
    {
        using var encoder = new Encoder(new EncoderConfig { Kind = kind, Channels = 3, Height = 8, Width = 8, InputSize = 192, Widths = [4, 8, 8], EmbeddingDimension = 4 });
        var parameters = encoder.Network.parameters().ToList();
        Assert.Equal(parameters.Count, parameters.Select(p => p.Handle).Distinct().Count());
    }

    [Fact]
    public void OneWidthIsRefusedAtTheOptionBeforeTraining()
    {
        var options = new SiameseEmbeddingOptions { ImageChannels = 1, ImageHeight = 8, ImageWidth = 8, Encoder = { Kind = EncoderKind.FastConvNet, Widths = [8] } };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext(1).Transforms.SiameseEmbed(options));
        Assert.Contains("Encoder.Widths", e.Message);
    }

    [Theory]
    [InlineData(EncoderKind.FastConvNet, new[] { 16, 32, 128, 128 })]
    [InlineData(EncoderKind.ConvNet, new[] { 32, 64, 128 })]   // what --preset best gives with --encoder ConvNet
    [InlineData(EncoderKind.ResNet, new[] { 32, 64, 128 })]
    public void WithoutWidthsEachEncoderGetsItsOwnDefaults(EncoderKind kind, int[] expected)
    {
        var options = new SiameseEmbeddingOptions { ImageChannels = 3, ImageHeight = 8, ImageWidth = 8, Encoder = { Kind = kind } };
        Assert.Equal(expected, options.ToEncoderConfig(192).Widths);
    }

    [Fact]
    public void NeedsAStemAndAStageWidth()
    {
        var config = new EncoderConfig { Kind = EncoderKind.FastConvNet, Channels = 1, Height = 8, Width = 8, InputSize = 64, Widths = [8], EmbeddingDimension = 4 };
        var e = Assert.Throws<InvalidDataException>(config.Validate);
        Assert.Contains("stem width", e.Message);
    }
}
