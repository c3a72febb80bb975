using MlNetSiamese.Torch;
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

    /// <summary>
    /// Makes every convolution with an odd square kernel a partial identity (PyTorch's <c>dirac_</c> on its first
    /// min(out, in) filters, as airbench does): filter i is 1 at the centre of input channel i and 0 elsewhere. The
    /// other filters and the biases keep their values.
    /// </summary>
    public static void Identity(nn.Module network)
    {
        using var noGrad = no_grad();
        foreach (var conv in network.modules().OfType<Conv2d>())
        {
            var w = conv.weight!;
            long outC = w.shape[0], inC = w.shape[1], kh = w.shape[2], kw = w.shape[3];
            if (kh != kw || kh % 2 == 0) continue;
            long n = Math.Min(outC, inC);
            using var head = w.narrow(0, 0, n);
            head.zero_();
            for (long i = 0; i < n; i++)
                using (var centre = head[i, i, kh / 2, kw / 2]) centre.fill_(Scalars.One);
        }
    }
}
