using MlNetSiamese.Encoders;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Encoders;

public class BatchNormFoldingTests
{
    [Theory]
    [InlineData(EncoderKind.ConvNet, 3, 16)]
    [InlineData(EncoderKind.ResNet, 3, 16)]
    [InlineData(EncoderKind.ResNet, 1, 12)]
    [InlineData(EncoderKind.FastConvNet, 3, 16)]   // a batch norm after each pool, folded into the convolution before it
    [InlineData(EncoderKind.FastConvNet, 1, 12)]
    [InlineData(EncoderKind.Mlp, 0, 0)]
    [InlineData(EncoderKind.FastConvNet, 3, 16, true)]   // the whitened stem: no batch norm of its own, copied as it is
    public void FoldedEncoderGivesTheSameEmbeddingsAsTheTrainedOne(EncoderKind kind, int channels, int size, bool whitenedStem = false)
    {
        var config = new EncoderConfig
        {
            Kind = kind, Channels = channels, Height = size, Width = size, InputSize = kind == EncoderKind.Mlp ? 40 : channels * size * size,
            Widths = kind == EncoderKind.Mlp ? [32, 24] : [whitenedStem ? 8 * channels : 8, 16, 24], EmbeddingDimension = 10, WhitenedStem = whitenedStem,
        };
        using var generator = new torch.Generator(3);
        using var encoder = new Encoder(config, init: generator);
        var random = new Random(4);
        var inputs = new float[20 * config.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)random.NextDouble();

        // Non-trivial batch-norm statistics and affine parameters: a few training-mode passes and random gamma/beta.
        using (no_grad())
        {
            foreach (var (name, p) in encoder.Network.named_parameters())
                if (name.Contains("norm") && p.shape.Length == 1) p.copy_(torch.rand(p.shape, generator: generator).mul_(1.5).add_(0.25));
            encoder.Network.train();
            for (int pass = 0; pass < 3; pass++) using (var x = encoder.Input(inputs, 20, CPU)) using (var _ = encoder.Forward(x)) { }
        }
        encoder.Network.eval();

        var expected = new float[20 * 10];
        encoder.Embed(inputs, 20, expected);
        using var folded = encoder.ForInference();
        Assert.False(encoder.ChannelsLast);
        Assert.Equal(kind != EncoderKind.Mlp, folded.ChannelsLast);   // so this compares NCHW with channels-last input
        var actual = new float[20 * 10];
        folded.Embed(inputs, 20, actual);

        double maxDiff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff < 1e-5, $"{kind}: folded embeddings differ by {maxDiff}");
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
        using var nhwc = Encoder.ToChannelsLast(nchw);
        Assert.Equal(new long[] { 2, channels, 5, 4 }, nhwc.shape);
        Assert.Equal(new long[] { 5 * 4 * channels, 1, 4 * channels, channels }, nhwc.stride());
        Assert.True(nhwc.allclose(nchw, rtol: 0, atol: 0));
    }
}
