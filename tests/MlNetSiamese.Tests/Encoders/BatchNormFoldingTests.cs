using MlNetSiamese.Encoders;
using MlNetSiamese.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Encoders;

/// <summary>
/// The batch-norm-folded inference network against the trained network's weights evaluated in float64 (which oneDNN
/// cannot compute, so a kernel bug in the float32 path cannot reach the expected values), with channel counts that
/// are no multiple of a SIMD block (12-20-28).
/// </summary>
public class BatchNormFoldingTests
{
    /// <summary>An encoder of <paramref name="kind"/> with widths 12-20-28 and non-trivial batch-norm statistics and affine parameters, in eval mode.</summary>
    internal static (Encoder Encoder, float[] Inputs) WithStatistics(EncoderKind kind, int channels, int size, int rows)
    {
        var config = new EncoderConfig
        {
            Kind = kind, Channels = channels, Height = size, Width = size, InputSize = kind == EncoderKind.Mlp ? 40 : channels * size * size,
            Widths = [12, 20, 28], EmbeddingDimension = 10,
        };
        using var generator = new torch.Generator(3);
        var encoder = new Encoder(config, init: generator);
        var random = new Random(4);
        var inputs = new float[rows * config.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)random.NextDouble();
        using (no_grad())
        {
            foreach (var (name, p) in encoder.Network.named_parameters())
                if (name.Contains("norm") && p.shape.Length == 1) p.copy_(torch.rand(p.shape, generator: generator).mul_(1.5).add_(0.25));
            encoder.Network.train();
            for (int pass = 0; pass < 3; pass++) using (var x = encoder.Input(inputs, rows, CPU)) using (var _ = encoder.Forward(x)) { }
        }
        encoder.Network.eval();
        return (encoder, inputs);
    }

    [Theory]
    [InlineData(EncoderKind.ConvNet, 3, 16)]
    [InlineData(EncoderKind.ConvNet, 1, 16)]
    [InlineData(EncoderKind.ResNet, 3, 16)]
    [InlineData(EncoderKind.ResNet, 1, 12)]
    [InlineData(EncoderKind.FastConvNet, 3, 16)]   // a batch norm after each pool, folded into the convolution before it
    [InlineData(EncoderKind.FastConvNet, 1, 12)]
    [InlineData(EncoderKind.Mlp, 0, 0)]
    public void FoldedAndTrainedEncodersGiveTheFloat64Embeddings(EncoderKind kind, int channels, int size)
    {
        const int rows = 20;
        var (encoder, inputs) = WithStatistics(kind, channels, size, rows);
        using var _ = encoder;
        var expected = Float64Reference.Embeddings(encoder, inputs, rows);

        var trained = new float[rows * 10];
        encoder.Embed(inputs, rows, trained);
        using var folded = encoder.ForInference();
        var fast = new float[rows * 10];
        folded.Embed(inputs, rows, fast);

        Assert.True(Float64Reference.MaxDifference(trained, expected) < 1e-5, $"{kind}: trained network's embeddings differ from float64 by {Float64Reference.MaxDifference(trained, expected)}");
        Assert.True(Float64Reference.MaxDifference(fast, expected) < 1e-5, $"{kind}: folded embeddings differ from float64 by {Float64Reference.MaxDifference(fast, expected)}");
        Assert.True(expected.Distinct().Count() > 100, "the embeddings should not be degenerate");
        // The folded network has no batch norm left.
        Assert.DoesNotContain(folded.Network.named_modules(), m => m.module is TorchSharp.Modules.BatchNorm2d or TorchSharp.Modules.BatchNorm1d);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]   // one channel: an NHWC copy permuted back would carry NCHW strides again
    public void ChannelsLastInputHasChannelsLastStridesAndTheSameValues(int channels)
    {
        using var nchw = torch.rand(2, channels, 5, 4);
        using var nhwc = ChannelsLastInput.Of(nchw);
        Assert.Equal(new long[] { 2, channels, 5, 4 }, nhwc.shape);
        Assert.Equal(new long[] { 5 * 4 * channels, 1, 4 * channels, channels }, nhwc.stride());
        Assert.True(nhwc.allclose(nchw, rtol: 0, atol: 0));
        using var again = ChannelsLastInput.Of(nhwc);   // already channels-last: the same memory, not a copy
        using var two = 2.ToScalar();
        using var doubled = nhwc.mul(two);
        again.mul_(two);
        Assert.True(nhwc.allclose(doubled, rtol: 0, atol: 0));
    }

    [Theory]
    [InlineData(EncoderKind.ConvNet)]
    [InlineData(EncoderKind.ResNet)]
    [InlineData(EncoderKind.FastConvNet)]
    public void EveryImageNetworkStartsWithTheChannelsLastLayerTrainedAndFolded(EncoderKind kind)
    {
        var (encoder, _) = WithStatistics(kind, 3, 8, rows: 4);
        using var _e = encoder;
        using var folded = encoder.ForInference();
        foreach (var network in new[] { encoder.Network, folded.Network })
        {
            // The sequence that holds the channels-last layer starts with it and holds every convolution.
            var sequence = network.modules().Prepend(network).OfType<TorchSharp.Modules.Sequential>().Single(q => q.children().Any(c => c is ChannelsLastInput));
            Assert.IsType<ChannelsLastInput>(sequence.children().First());
            var inside = sequence.modules().OfType<TorchSharp.Modules.Conv2d>().ToHashSet();
            var all = network.modules().OfType<TorchSharp.Modules.Conv2d>().ToList();
            Assert.NotEmpty(all);
            Assert.All(all, c => Assert.Contains(c, inside));
        }
    }
}
