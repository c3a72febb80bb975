using MlNetSiamese.Encoders;
using MlNetSiamese.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Losses;

/// <summary>||a - b|| on L2-normalised embeddings, sqrt(2 - 2 cos), clamped away from 0 so the gradient stays finite.</summary>
internal sealed class EuclideanDistance : IDistance
{
    public Tensor Pairwise(Tensor embeddings)
    {
        using var similarity = embeddings.matmul(embeddings.t());
        using Scalar minusTwo = (-2.0).ToScalar(), two = 2.0.ToScalar(), tiny = 1e-12.ToScalar();   // explicit, see Scalars.cs
        using var squared = similarity.mul(minusTwo).add_(two, Scalars.One).clamp_min_(tiny);
        return squared.sqrt();
    }
}
