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

    [Fact]
    public void IdentityInitialisationPassesEachInputChannelThroughTheFirstFilters()
    {
        using var conv = torch.nn.Conv2d(3, 5, 3, padding: 1, bias: false);
        using var narrow = torch.nn.Conv2d(4, 2, 3, padding: 1, bias: false);
        using var net = torch.nn.Sequential(("a", conv), ("b", narrow));
        var before = conv.weight!.data<float>().ToArray();
        WeightInit.Identity(net);
        using var x = torch.rand(2, 3, 6, 6);
        using var y = conv.forward(x);
        // Filters 0-2 copy input channels 0-2; filters 3-4 keep their random start.
        Assert.True(y.narrow(1, 0, 3).sub(x).abs().max().item<float>() < 1e-6f);
        var after = conv.weight!.data<float>().ToArray();
        Assert.Equal(before.Skip(3 * 27), after.Skip(3 * 27));
        // More inputs than outputs: the two filters pass input channels 0 and 1.
        using var x4 = torch.rand(1, 4, 5, 5);
        using var y4 = narrow.forward(x4);
        Assert.True(y4.sub(x4.narrow(1, 0, 2)).abs().max().item<float>() < 1e-6f);
    }
}
