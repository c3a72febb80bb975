using MlNetSiamese.Encoders;
using MlNetSiamese.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Losses;

/// <summary>max(0, d(a,p) - d(a,n) + margin): the reference article's loss with cosine distance and margin 0.4.</summary>
internal sealed class MarginTripletLoss(float margin) : ITripletLoss
{
    public Tensor PerTriplet(Tensor anchorPositive, Tensor anchorNegative)
    {
        using var gap = anchorPositive - anchorNegative;
        using var m = margin.ToScalar();   // explicit, see Scalars.cs
        return nn.functional.relu(gap.add_(m, Scalars.One));
    }
}
