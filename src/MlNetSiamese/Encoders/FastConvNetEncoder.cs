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
/// 16-32-128-128 cost about the multiply-adds per image of the ConvNet's 32-64-128 and learn more per minute on
/// CIFAR-10 and Fashion-MNIST (bench/RESULTS.md).
/// The batch norms have no learned scale (fixed at 1, as in airbench): their scale 1/sqrt(var + eps) is positive,
/// so the norm after a pool folds into the convolution before the pool (max-pooling commutes with a positive
/// per-channel affine map) and the inference network is convolutions, pools and GELUs only.
/// </summary>
/// <remarks>
/// With <see cref="EncoderConfig.WhitenedStem"/> the stem is airbench's instead: a 2x2 convolution without padding whose
/// filters are the eigenvectors of the training images' 2x2-patch covariance, each scaled to unit variance and taken
/// with both signs (<c>Widths[0]</c> = 2 x channels x 4), fixed after <see cref="InitializeFromData"/> (only its bias
/// trains), then GELU, no batch norm.
/// </remarks>
internal sealed class FastConvNetEncoder : nn.Module<Tensor, Tensor>, IFoldsBatchNorm, IInitializesFromData
{
    private readonly Sequential features;
    private readonly Linear projection;
    private readonly Conv2d stem;
    private readonly BatchNorm2d? stemNorm;
    private readonly List<(Conv2d First, BatchNorm2d FirstNorm, Conv2d Second, BatchNorm2d SecondNorm)> stages = new();

    public FastConvNetEncoder(EncoderConfig config) : base(nameof(FastConvNetEncoder))
    {
        int channels = config.Widths[0];
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("channelslast", new ChannelsLastInput()) };
        if (config.WhitenedStem)
        {
            stem = nn.Conv2d(config.Channels, channels, WhiteningPatch, bias: true);
            stem.weight!.requires_grad = false;
            layers.Add(("stem", stem));
        }
        else
        {
            stem = nn.Conv2d(config.Channels, channels, 3, padding: 1, bias: false);
            stemNorm = ScaleFreeNorm(channels);
            layers.Add(("stem", stem));
            layers.Add(("stemnorm", stemNorm));
        }
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

    /// <summary>The whitened stem's patch side.</summary>
    public const int WhiteningPatch = 2;

    /// <summary>
    /// Sets the whitened stem (if any) from training images [N, C, H, W]: the covariance of their 2x2 patches (in double
    /// precision), its eigenvectors from the largest eigenvalue down, each divided by sqrt(eigenvalue + eps), with both
    /// signs; the bias subtracts the filters' response to the mean patch, so the stem's output is centred whatever the
    /// pixel scale. eps is 5e-4 of the mean pixel variance (airbench's 5e-4 on images normalised to unit variance).
    /// </summary>
    public void InitializeFromData(Tensor images)
    {
        if (stemNorm != null) return;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        long c = images.shape[1];
        int k = WhiteningPatch;
        var patches = images.to_type(ScalarType.Float64).unfold(2, k, 1).unfold(3, k, 1)   // [N, C, H', W', k, k]
            .permute(0, 2, 3, 1, 4, 5).reshape(-1, c * k * k);
        var mean = patches.mean(new long[] { 0 });
        var centred = patches - mean;
        using var count = patches.shape[0].ToScalar();
        var covariance = centred.t().matmul(centred).div_(count);
        var (eigenvalues, eigenvectors) = linalg.eigh(covariance);                      // ascending
        using var eps = (5e-4 * covariance.diagonal().mean().item<double>()).ToScalar();
        var filters = eigenvectors.t().flip(0).div(eigenvalues.flip(0).clamp_min(0).add(eps).sqrt().unsqueeze(1));   // [C k k, C k k], a filter a row
        var both = cat(new[] { filters, filters.neg() }, 0);
        stem.weight!.copy_(both.reshape(stem.weight!.shape).to_type(ScalarType.Float32));
        stem.bias!.copy_(both.matmul(mean).neg().to_type(ScalarType.Float32));
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
            ("stem", stemNorm == null ? BatchNormFolding.Copy(stem, padding: 0) : BatchNormFolding.Fold(stem, stemNorm, stride: 1, padding: 1)),
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
