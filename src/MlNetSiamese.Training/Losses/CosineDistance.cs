using MlNetSiamese.Encoders;
using MlNetSiamese.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Losses;

/// <summary>1 - cos(a, b) on L2-normalised embeddings: 0 for the same direction, 2 for opposite ones.</summary>
internal sealed class CosineDistance : IDistance
{
    public Tensor Pairwise(Tensor embeddings)
    {
        using var similarity = embeddings.matmul(embeddings.t());
        return similarity.neg().add_(Scalars.One, Scalars.One);   // explicit scalars, see Scalars.cs
    }
}
