using MlNetSiamese.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// Inference networks with each batch norm folded into the convolution or linear layer before it: in eval mode
/// BN(Wx) = (W * s) x + (beta - mean * s) with s = gamma / sqrt(var + eps), so the normalisation costs nothing at
/// inference time. The folded network is built from a trained one and gives the same embeddings within float
/// rounding (about 1e-6); the saved model keeps the unfolded weights.
/// </summary>
internal interface IFoldsBatchNorm
{
    /// <summary>A new network, for inference only, with the batch norms folded into the layers before them.</summary>
    nn.Module<Tensor, Tensor> FoldBatchNorm();
}

internal static class BatchNormFolding
{
    /// <summary>A 3x3 (or 1x1) convolution with bias equal to <paramref name="conv"/> followed by <paramref name="norm"/> in eval mode.</summary>
    public static Conv2d Fold(Conv2d conv, BatchNorm2d norm, long stride, long padding)
    {
        var w = conv.weight!;
        var folded = nn.Conv2d(w.shape[1], w.shape[0], w.shape[2], stride: stride, padding: padding, bias: true);
        var (weight, bias) = FoldedWeights(w, norm.running_mean!, norm.running_var!, norm.weight!, norm.bias!);
        using (weight) using (bias) Copy(folded.weight!, folded.bias!, weight, bias);
        return folded;
    }

    /// <summary>A linear layer with bias equal to <paramref name="linear"/> (without bias) followed by <paramref name="norm"/> in eval mode.</summary>
    public static Linear Fold(Linear linear, BatchNorm1d norm)
    {
        var w = linear.weight!;
        var folded = nn.Linear(w.shape[1], w.shape[0], hasBias: true);
        var (weight, bias) = FoldedWeights(w, norm.running_mean!, norm.running_var!, norm.weight!, norm.bias!);
        using (weight) using (bias) Copy(folded.weight!, folded.bias!, weight, bias);
        return folded;
    }

    /// <summary>
    /// The folded image network: <see cref="ChannelsLastInput"/>, <paramref name="layers"/>, then <paramref name="pool"/>,
    /// flatten and a copy of <paramref name="projection"/>.
    /// </summary>
    public static Sequential WithProjection(List<(string, nn.Module<Tensor, Tensor>)> layers, (string, nn.Module<Tensor, Tensor>) pool, Linear projection)
    {
        layers.Insert(0, ("channelslast", new ChannelsLastInput()));
        layers.Add(pool);
        layers.Add(("flatten", nn.Flatten()));
        layers.Add(("projection", Copy(projection)));
        return nn.Sequential(layers);
    }

    /// <summary>A copy of <paramref name="conv"/> (stride 1, with bias) with the given padding.</summary>
    public static Conv2d Copy(Conv2d conv, long padding)
    {
        var w = conv.weight!;
        var copy = nn.Conv2d(w.shape[1], w.shape[0], w.shape[2], padding: padding, bias: true);
        using var _ = no_grad();
        copy.weight!.copy_(w);
        copy.bias!.copy_(conv.bias!);
        return copy;
    }

    /// <summary>A copy of <paramref name="linear"/>.</summary>
    public static Linear Copy(Linear linear)
    {
        var w = linear.weight!;
        var copy = nn.Linear(w.shape[1], w.shape[0], hasBias: linear.bias is not null);
        using var _ = no_grad();
        copy.weight!.copy_(w);
        if (linear.bias is { } b) copy.bias!.copy_(b);
        return copy;
    }

    internal static (Tensor Weight, Tensor Bias) FoldedWeights(Tensor w, Tensor mean, Tensor variance, Tensor gamma, Tensor beta)
    {
        using var _ = no_grad();
        using var eps = 1e-5.ToScalar();   // BatchNorm's default, which the encoders use
        using var v = variance.add(eps, Scalars.One);
        using var root = v.sqrt();
        using var scale = gamma.div(root);
        var shape = new long[w.shape.Length];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        using var s = scale.view(shape);
        var weight = w.mul(s);
        using var shift = mean.mul(scale);
        var bias = beta.sub(shift);
        return (weight, bias);
    }

    private static void Copy(Parameter weightTarget, Parameter biasTarget, Tensor weight, Tensor bias)
    {
        using var _ = no_grad();
        weightTarget.copy_(weight);
        biasTarget.copy_(bias);
    }
}
