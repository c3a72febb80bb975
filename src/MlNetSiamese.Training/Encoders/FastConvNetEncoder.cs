using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// The layout of the CIFAR-10 speed-run networks (Page's ResNet-9, Jordan's airbench), without residuals: a 3x3 stem
/// convolution with batch norm and GELU at full resolution (width <c>Widths[0]</c>), then per stage (widths
/// <c>Widths[1..]</c>) a 3x3 convolution, a 2x2 max-pool, batch norm and GELU, and a second 3x3 convolution with batch
/// norm and GELU at the pooled resolution; global max-pooling and a linear projection to the embedding. Pooling right
/// after the first convolution of a stage puts its second convolution, both batch norms and both activations on a
/// quarter of the pixels, where a <see cref="ConvNetEncoder"/> stage runs both convolutions before its pool: the widths
/// 16-32-128-128 cost about the multiply-adds per image of the ConvNet's 32-64-128.
/// The batch norms have no learned scale (fixed at 1, as in airbench): their scale 1/sqrt(var + eps) is positive,
/// so the norm after a pool folds into the convolution before the pool (max-pooling commutes with a positive
/// per-channel affine map) and the inference network is convolutions, pools and GELUs only.
/// </summary>
internal sealed class FastConvNetEncoder : nn.Module<Tensor, Tensor>, IFoldsBatchNorm
{
    private readonly Sequential features;
    private readonly Linear projection;
    private readonly Conv2d stem;
    private readonly BatchNorm2d stemNorm;
    private readonly List<(Conv2d First, BatchNorm2d FirstNorm, Conv2d Second, BatchNorm2d SecondNorm)> stages = new();

    public FastConvNetEncoder(EncoderConfig config) : base(nameof(FastConvNetEncoder))
    {
        int channels = config.Widths[0];
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("channelslast", new ChannelsLastInput()) };
        stem = nn.Conv2d(config.Channels, channels, 3, padding: 1, bias: false);
        stemNorm = ScaleFreeNorm(channels);
        layers.Add(("stem", stem));
        layers.Add(("stemnorm", stemNorm));
        layers.Add(("stemgelu", nn.GELU()));
        for (int s = 1; s < config.Widths.Length; s++)
        {
            int w = config.Widths[s];
            var (first, firstNorm) = (nn.Conv2d(channels, w, 3, padding: 1, bias: false), ScaleFreeNorm(w));
            var (second, secondNorm) = (nn.Conv2d(w, w, 3, padding: 1, bias: false), ScaleFreeNorm(w));
            stages.Add((first, firstNorm, second, secondNorm));
            layers.Add(($"conv{s}a", first));
            layers.Add(($"pool{s}", nn.MaxPool2d(2)));
            layers.Add(($"norm{s}a", firstNorm));
            layers.Add(($"gelu{s}a", nn.GELU()));
            layers.Add(($"conv{s}b", second));
            layers.Add(($"norm{s}b", secondNorm));
            layers.Add(($"gelu{s}b", nn.GELU()));
            channels = w;
        }
        layers.Add(("gmp", nn.AdaptiveMaxPool2d(new long[] { 1, 1 })));
        features = nn.Sequential(layers);
        projection = nn.Linear(channels, config.EmbeddingDimension);
        RegisterComponents();
    }

    /// <summary>Batch norm whose scale stays 1 (not trained): only the shift is learned.</summary>
    private static BatchNorm2d ScaleFreeNorm(int channels)
    {
        var norm = nn.BatchNorm2d(channels);
        norm.weight!.requires_grad = false;
        return norm;
    }

    public override Tensor forward(Tensor input)
    {
        using var f = features.forward(input);
        return projection.forward(f.flatten(1));
    }

    public nn.Module<Tensor, Tensor> FoldBatchNorm()
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("stem", BatchNormFolding.Fold(stem, stemNorm, stride: 1, padding: 1)),
            ("stemgelu", nn.GELU()),
        };
        for (int i = 0; i < stages.Count; i++)
        {
            var (first, firstNorm, second, secondNorm) = stages[i];
            layers.Add(($"conv{i + 1}a", BatchNormFolding.Fold(first, firstNorm, stride: 1, padding: 1)));   // positive scale: commutes with the pool
            layers.Add(($"pool{i + 1}", nn.MaxPool2d(2)));
            layers.Add(($"gelu{i + 1}a", nn.GELU()));
            layers.Add(($"conv{i + 1}b", BatchNormFolding.Fold(second, secondNorm, stride: 1, padding: 1)));
            layers.Add(($"gelu{i + 1}b", nn.GELU()));
        }
        return BatchNormFolding.WithProjection(layers, ("gmp", nn.AdaptiveMaxPool2d(new long[] { 1, 1 })), projection);
    }
}
