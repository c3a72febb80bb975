using static TorchSharp.torch;

namespace MlNetSiamese.Losses;

/// <summary>ln(1 + exp(d(a,p) - d(a,n))): the soft-margin triplet loss, no margin to tune (Hermans et al., 2017).</summary>
internal sealed class SoftMarginTripletLoss : ITripletLoss
{
    public Tensor PerTriplet(Tensor anchorPositive, Tensor anchorNegative)
    {
        using var gap = anchorPositive - anchorNegative;
        return nn.functional.softplus(gap);
    }
}
