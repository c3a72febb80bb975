using static TorchSharp.torch;

namespace MlNetSiamese.Losses;

/// <summary>
/// A distance between L2-normalised embeddings: smaller means more alike, for every implementation, so miners
/// and losses never special-case one of them.
/// </summary>
internal interface IDistance
{
    /// <summary>All pairwise distances of the rows of <paramref name="embeddings"/> [B, D] -> [B, B].</summary>
    Tensor Pairwise(Tensor embeddings);
}
