using static TorchSharp.torch;

namespace MlNetSiamese.Losses;

/// <summary>||a - b|| on L2-normalised embeddings, sqrt(2 - 2 cos), clamped away from 0 so the gradient stays finite.</summary>
internal sealed class EuclideanDistance : IDistance
{
    public Tensor Pairwise(Tensor embeddings)
    {
        using var similarity = embeddings.matmul(embeddings.t());
        using var squared = similarity.mul(-2.0).add_(2.0).clamp_min_(1e-12);
        return squared.sqrt();
    }
}
