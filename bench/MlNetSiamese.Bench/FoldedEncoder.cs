using MlNetSiamese.Encoders;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Bench;

/// <summary>
/// MEASUREMENT ONLY, not library code: the inference forward of a trained ConvNet/ResNet with every batch norm folded
/// into the convolution before it (w' = w * g / sqrt(v + eps), b' = beta - m * g / sqrt(v + eps)), written with
/// torch.nn.functional calls. It shows what folding could gain before the library gets its own folded path; the
/// harness checks that its embeddings match the unfolded encoder's.
/// </summary>
internal sealed class FoldedEncoder : IDisposable
{
    private const double Eps = 1e-5;   // nn.BatchNorm2d's default, which the encoders use
    private readonly EncoderConfig config;
    private readonly Dictionary<string, (Tensor W, Tensor B)> convs = new();
    private readonly Tensor projW, projB;

    public FoldedEncoder(Encoder encoder)
    {
        config = encoder.Config;
        using var _ = no_grad();
        var state = encoder.Network.state_dict();
        Tensor P(string name) => state.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"No parameter '{name}' in the {config.Kind} state dict (keys: {string.Join(", ", state.Keys)}).");
        void Fold(string key, string conv, string norm)
        {
            var scale = P(norm + ".weight") / (P(norm + ".running_var") + Eps).sqrt();
            var w = (P(conv + ".weight") * scale.view(-1, 1, 1, 1)).contiguous();
            var b = (P(norm + ".bias") - P(norm + ".running_mean") * scale).contiguous();
            convs[key] = (w.detach(), b.detach());
        }
        switch (config.Kind)
        {
            case EncoderKind.ConvNet:
                for (int s = 0; s < config.Widths.Length; s++)
                {
                    Fold($"{s}a", $"features.conv{s}a", $"features.norm{s}a");
                    Fold($"{s}b", $"features.conv{s}b", $"features.norm{s}b");
                }
                break;
            case EncoderKind.ResNet:
                Fold("stem", "body.stem", "body.stemnorm");
                for (int s = 0; s < config.Widths.Length; s++)
                {
                    Fold($"{s}.1", $"body.block{s}.conv1", $"body.block{s}.norm1");
                    Fold($"{s}.2", $"body.block{s}.conv2", $"body.block{s}.norm2");
                    if (state.ContainsKey($"body.block{s}.shortcut.conv.weight"))
                        Fold($"{s}.skip", $"body.block{s}.shortcut.conv", $"body.block{s}.shortcut.norm");
                }
                break;
            default: throw new NotSupportedException($"Folding is for ConvNet and ResNet, not {config.Kind}.");
        }
        projW = P("projection.weight").detach().clone();
        projB = P("projection.bias").detach().clone();
    }

    private static readonly long[] Pad1 = [1, 1], Pad0 = [0, 0], Stride1 = [1, 1], Stride2 = [2, 2], Pool2 = [2, 2], Gap = [1, 1];

    private Tensor Conv(Tensor x, string key, long[] stride, long[] padding) =>
        nn.functional.conv2d(x, convs[key].W, convs[key].B, strides: stride, padding: padding);

    /// <summary>Flat rows [B, InputSize] -> L2-normalised embeddings [B, D]; call under no_grad and a dispose scope.</summary>
    public Tensor Forward(Tensor flat)
    {
        var x = flat.view(-1, config.Channels, config.Height, config.Width);
        if (config.Kind == EncoderKind.ConvNet)
        {
            for (int s = 0; s < config.Widths.Length; s++)
            {
                x = nn.functional.relu(Conv(x, $"{s}a", Stride1, Pad1));
                x = nn.functional.relu(Conv(x, $"{s}b", Stride1, Pad1));
                x = nn.functional.max_pool2d(x, Pool2);
            }
        }
        else
        {
            x = nn.functional.relu(Conv(x, "stem", Stride1, Pad1));
            for (int s = 0; s < config.Widths.Length; s++)
            {
                var stride = s == 0 ? Stride1 : Stride2;
                var y = nn.functional.relu(Conv(x, $"{s}.1", stride, Pad1));
                y = Conv(y, $"{s}.2", Stride1, Pad1);
                var skip = convs.ContainsKey($"{s}.skip") ? Conv(x, $"{s}.skip", stride, Pad0) : x;
                x = nn.functional.relu(y.add_(skip));
            }
        }
        x = nn.functional.adaptive_avg_pool2d(x, Gap).flatten(1);
        return nn.functional.normalize(nn.functional.linear(x, projW, projB), p: 2, dim: 1);
    }

    public void Dispose()
    {
        foreach (var (w, b) in convs.Values) { w.Dispose(); b.Dispose(); }
        projW.Dispose(); projB.Dispose();
    }
}
