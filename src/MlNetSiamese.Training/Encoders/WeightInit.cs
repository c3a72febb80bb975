using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// Draws the initial weights of every convolution and linear layer from a caller's generator, with PyTorch's default
/// distribution for them (weight and bias uniform in +-1/sqrt(fan_in), i.e. kaiming_uniform with a = sqrt(5)); batch
/// norms keep their constant start (1, 0). TorchSharp's layer constructors draw from libtorch's one process-wide
/// generator, which any other code in the process may seed or draw from at the same time (a parallel test, a second
/// training in the same app): with a generator of its own, a training run starts from the same weights for the same
/// seed whatever else the process does.
/// </summary>
internal static class WeightInit
{
    public static void Reset(nn.Module network, Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var module in network.modules())
        {
            var (weight, bias) = module switch
            {
                Conv2d c => (c.weight, c.bias),
                Linear l => (l.weight, l.bias),
                _ => (null, null),
            };
            if (weight is null) continue;
            long fanIn = weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            double bound = 1.0 / Math.Sqrt(fanIn);
            weight.uniform_(-bound, bound, generator);
            bias?.uniform_(-bound, bound, generator);
        }
    }
}
