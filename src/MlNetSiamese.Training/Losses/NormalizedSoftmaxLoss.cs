using MlNetSiamese.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Losses;

/// <summary>
/// Normalised-softmax (NormFace / proxy) classification loss on L2-normalised embeddings: one learned unit vector per
/// class, logits = scale x cos(embedding, class vector), cross-entropy with the labels. Used as an auxiliary loss
/// next to the triplet loss, it pulls each class around one direction with every row of the batch instead of only
/// the mined triplets, which speeds up training on data with few classes. Training only: the class vectors are not
/// part of the saved model.
/// </summary>
internal sealed class NormalizedSoftmaxLoss : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter proxies;
    private readonly float scale;
    private readonly double labelSmoothing;

    public NormalizedSoftmaxLoss(int embeddingDimension, int classes, Generator? init = null, float scale = 16f, float labelSmoothing = 0f) : base(nameof(NormalizedSoftmaxLoss))
    {
        this.scale = scale;
        this.labelSmoothing = labelSmoothing;
        using var root = MathF.Sqrt(embeddingDimension).ToScalar();
        proxies = nn.Parameter(randn(classes, embeddingDimension, generator: init).div_(root));
        RegisterComponents();
    }

    /// <summary>Mean cross-entropy of the batch (with label smoothing: against targets of 1 - s + s / classes on the label and s / classes elsewhere); <paramref name="embeddings"/> [B, D] are L2-normalised here (the encoder's output before or after its normalisation gives the same), <paramref name="labels"/> class ids [B].</summary>
    public override Tensor forward(Tensor embeddings, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var s = scale.ToScalar();   // explicit, see Scalars.cs
        var logits = nn.functional.normalize(embeddings, p: 2, dim: 1).matmul(nn.functional.normalize(proxies, p: 2, dim: 1).t()).mul_(s);
        return nn.functional.cross_entropy(logits, labels, label_smoothing: labelSmoothing).MoveToOuterDisposeScope();
    }
}
