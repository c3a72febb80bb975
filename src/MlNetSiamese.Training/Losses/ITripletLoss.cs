using static TorchSharp.torch;

namespace MlNetSiamese.Losses;

/// <summary>Per-triplet loss from anchor-positive and anchor-negative distances (both [T]); returns [T].</summary>
internal interface ITripletLoss
{
    Tensor PerTriplet(Tensor anchorPositive, Tensor anchorNegative);
}
