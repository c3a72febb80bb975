using MlNetSiamese.Encoders;
using MlNetSiamese.Torch;
using static TorchSharp.torch;

namespace MlNetSiamese.Losses;

/// <summary>ln(1 + exp(d(a,p) - d(a,n))): the soft-margin triplet loss, no margin to tune (Hermans et al., 2017).</summary>
internal sealed class SoftMarginTripletLoss : ITripletLoss
{
    public Tensor PerTriplet(Tensor anchorPositive, Tensor anchorNegative)
    {
        // softplus(x) = relu(x) + ln(1 + e^-|x|), stable for large |x|, and without the Scalars that
        // nn.functional.softplus(beta, threshold) converts internally (see Scalars.cs).
        using var scope = NewDisposeScope();
        var gap = anchorPositive - anchorNegative;
        return nn.functional.relu(gap).add_(gap.abs().neg_().exp_().log1p_(), Scalars.One).MoveToOuterDisposeScope();
    }
}
