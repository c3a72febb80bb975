using MlNetSiamese.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Losses;

/// <summary>
/// Plain softmax classification loss on the encoder's output before normalisation: logits = scale x (W e), a linear
/// layer without bias (PyTorch's default initialisation), cross-entropy with the labels; airbench's head, whose scale
/// is 1/9. Used as an auxiliary loss next to the triplet loss, like <see cref="NormalizedSoftmaxLoss"/>, but it lets
/// the length of the output carry the classifier's confidence, which the normalised form fixes. Training only: the
/// layer is not part of the saved model.
/// </summary>
internal sealed class LinearSoftmaxLoss : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly float scale;
    private readonly double labelSmoothing;

    public LinearSoftmaxLoss(int embeddingDimension, int classes, Generator? init = null, float scale = 1f / 9, float labelSmoothing = 0f) : base(nameof(LinearSoftmaxLoss))
    {
        this.scale = scale;
        this.labelSmoothing = labelSmoothing;
        double bound = 1 / Math.Sqrt(embeddingDimension);
        weight = nn.Parameter(empty(classes, embeddingDimension).uniform_(-bound, bound, init));
        RegisterComponents();
    }

    /// <summary>Mean cross-entropy of the batch; <paramref name="outputs"/> are the encoder's unnormalised outputs [B, D], <paramref name="labels"/> class ids [B].</summary>
    public override Tensor forward(Tensor outputs, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var s = scale.ToScalar();   // explicit, see Scalars.cs
        var logits = outputs.matmul(weight.t()).mul_(s);
        return nn.functional.cross_entropy(logits, labels, label_smoothing: labelSmoothing).MoveToOuterDisposeScope();
    }
}
