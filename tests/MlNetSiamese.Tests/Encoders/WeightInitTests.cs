using MlNetSiamese.Encoders;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;

namespace MlNetSiamese.Tests.Encoders;

public class WeightInitTests
{
    private static readonly EncoderConfig Config = new()
    {
        Kind = EncoderKind.ResNet, Channels = 3, Height = 8, Width = 8, InputSize = 3 * 8 * 8, Widths = [8, 16], EmbeddingDimension = 10,
    };

    private static float[] Weights(Encoder encoder) => encoder.Network.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

    [Fact]
    public void TheGeneratorAloneDecidesTheWeights()
    {
        torch.manual_seed(1);
        using var g1 = new torch.Generator(7);
        using var a = new Encoder(Config, init: g1);
        torch.manual_seed(2);
        using var g2 = new torch.Generator(7);
        using var b = new Encoder(Config, init: g2);
        using var g3 = new torch.Generator(8);
        using var c = new Encoder(Config, init: g3);
        Assert.Equal(Weights(a), Weights(b));
        Assert.NotEqual(Weights(a), Weights(c));
    }

    [Fact]
    public void LayersGetPyTorchsDefaultRangeAndBatchNormsTheirConstants()
    {
        using var g = new torch.Generator(5);
        using var encoder = new Encoder(Config, init: g);
        int layers = 0;
        foreach (var module in encoder.Network.modules())
        {
            if (module is Conv2d or Linear)
            {
                var weight = module is Conv2d c ? c.weight! : ((Linear)module).weight!;
                double bound = 1 / Math.Sqrt(weight.shape.Skip(1).Aggregate(1L, (x, y) => x * y));
                var values = weight.data<float>().ToArray();
                Assert.All(values, v => Assert.InRange(v, -bound, bound));
                Assert.True(values.Max(v => Math.Abs(v)) > 0.8 * bound, $"{module.GetName()} does not fill its range");
                layers++;
            }
            else if (module is BatchNorm2d norm)
            {
                Assert.All(norm.weight!.data<float>().ToArray(), v => Assert.Equal(1f, v));
                Assert.All(norm.bias!.data<float>().ToArray(), v => Assert.Equal(0f, v));
            }
        }
        Assert.True(layers >= 5, $"only {layers} layers seen");
    }
}
