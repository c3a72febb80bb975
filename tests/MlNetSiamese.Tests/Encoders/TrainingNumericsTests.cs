using MlNetSiamese.Encoders;
using MlNetSiamese.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Encoders;

/// <summary>
/// What training computes, against the same weights in float64 (no oneDNN kernel there): the training-mode forward
/// and every parameter's gradient of one loss, and embeddings of training crops smaller than the configured image,
/// for each encoder kind with channel counts that are no multiple of a SIMD block (12-20-28).
/// </summary>
public class TrainingNumericsTests
{
    private const int Rows = 12;

    [Theory]
    [InlineData(EncoderKind.ConvNet, 3, 16)]
    [InlineData(EncoderKind.ConvNet, 1, 16)]
    [InlineData(EncoderKind.ResNet, 3, 16)]
    [InlineData(EncoderKind.ResNet, 1, 12)]
    [InlineData(EncoderKind.FastConvNet, 3, 16)]
    [InlineData(EncoderKind.FastConvNet, 1, 12)]
    [InlineData(EncoderKind.Mlp, 0, 0)]
    public void OneTrainingStepGivesTheFloat64OutputsAndGradients(EncoderKind kind, int channels, int size)
    {
        var (encoder, inputs) = BatchNormFoldingTests.WithStatistics(kind, channels, size, Rows);
        using var _ = encoder;
        using var reference = encoder.ToFloat64();
        encoder.Network.train();
        reference.Network.train();
        using var scope = NewDisposeScope();
        using var g = new TorchSharp.torch.Generator(9);
        var weights = randn(new long[] { Rows, encoder.Config.EmbeddingDimension }, generator: g);

        var output = encoder.Forward(encoder.Input(inputs, Rows, CPU));
        output.mul(weights).sum().backward();
        var expected = reference.Forward(tensor(inputs.Select(v => (double)v).ToArray(), new long[] { Rows, inputs.Length / Rows }));
        expected.mul(weights.to_type(ScalarType.Float64)).sum().backward();

        double outputDiff = output.to_type(ScalarType.Float64).sub(expected).abs().max().item<double>();
        Assert.True(outputDiff < 1e-5, $"{kind}: training-mode embeddings differ from float64 by {outputDiff}");
        var expectedGrads = reference.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        int compared = 0;
        foreach (var (name, parameter) in encoder.Network.named_parameters())
        {
            if (!parameter.requires_grad) continue;   // FastConvNet's fixed batch-norm scales
            var grad = parameter.grad ?? throw new Xunit.Sdk.XunitException($"{kind}: {name} has no gradient");
            var want = expectedGrads[name]!;
            double scale = Math.Max(want.abs().max().item<double>(), 1e-8);
            double diff = grad.to_type(ScalarType.Float64).sub(want).abs().max().item<double>();
            Assert.True(diff <= 1e-4 * scale, $"{kind}: gradient of {name} differs from float64 by {diff} (largest {scale})");
            compared++;
        }
        Assert.True(compared >= 4, $"{kind}: only {compared} gradients compared");
    }

    [Theory]
    [InlineData(EncoderKind.ConvNet, 3)]
    [InlineData(EncoderKind.ResNet, 1)]
    [InlineData(EncoderKind.FastConvNet, 3)]
    [InlineData(EncoderKind.FastConvNet, 1)]
    public void CropsSmallerThanTheImageGiveTheFloat64Embeddings(EncoderKind kind, int channels)
    {
        const int crop = 12;
        var (encoder, _) = BatchNormFoldingTests.WithStatistics(kind, channels, 16, Rows);
        using var _e = encoder;
        var random = new Random(8);
        var crops = Enumerable.Range(0, Rows * channels * crop * crop).Select(_ => (float)random.NextDouble()).ToArray();
        var expected = Float64Reference.Embeddings(encoder, crops, Rows, crop, crop);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var actual = encoder.Forward(encoder.Input(crops, Rows, CPU), crop, crop).data<float>().ToArray();
        Assert.True(Float64Reference.MaxDifference(actual, expected) < 1e-5, $"{kind}: crop embeddings differ from float64 by {Float64Reference.MaxDifference(actual, expected)}");
    }
}
