using MlNetSiamese.Encoders;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Losses;

/// <summary>1 - cos(a, b) on L2-normalised embeddings: 0 for the same direction, 2 for opposite ones.</summary>
internal sealed class CosineDistance : IDistance
{
    public Tensor Pairwise(Tensor embeddings)
    {
        using var similarity = embeddings.matmul(embeddings.t());
        using var one = 1.0.ToScalar();   // explicit, see Scalars.cs
        return similarity.neg().add_(one, Scalars.One);
    }
}
