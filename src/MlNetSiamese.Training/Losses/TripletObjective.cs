using MlNetSiamese.Torch;
using TorchSharp;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace MlNetSiamese.Losses;

// Every Scalar here is explicit and outlives its call; see Scalars.cs for why.

/// <summary>
/// Distance, miner and loss put together: embeddings [B, D] and labels in, the mean loss over the triplets with a
/// non-zero loss ("active") out, plus the fraction of active triplets. Given triplets skip the miner (offline triplets).
/// </summary>
internal sealed class TripletObjective(IDistance distance, ITripletMiner miner, ITripletLoss loss)
{
    public (Tensor Loss, double ActiveFraction, int Triplets) Compute(Tensor embeddings, int[] labels, Triplets? given = null)
    {
        using var scope = NewDisposeScope();
        using Scalar zero = 0f.ToScalar(), tiny = 1e-12f.ToScalar();
        var d = distance.Pairwise(embeddings);
        Triplets t = given ?? miner.Mine(MemoryMarshal.Cast<byte, float>(d.detach().cpu().contiguous().bytes), labels);
        if (t.Count == 0)
            return (embeddings.sum().mul(zero).MoveToOuterDisposeScope(), 0, 0);
        var flat = d.flatten();
        long b = embeddings.shape[0];
        // Positions of (anchor, other) in the flattened matrix, computed here rather than with tensor arithmetic.
        long[] Flat(long[] other) { var r = new long[t.Count]; for (int i = 0; i < r.Length; i++) r[i] = t.Anchors[i] * b + other[i]; return r; }
        var ap = flat.index_select(0, tensor(Flat(t.Positives), device: d.device));
        var an = flat.index_select(0, tensor(Flat(t.Negatives), device: d.device));
        var perTriplet = loss.PerTriplet(ap, an);
        var active = perTriplet.gt(tiny);
        long activeCount = active.sum().item<long>();
        // Mean over active triplets (the usual "non-zero" reduction); soft-margin losses are all active.
        using var count = activeCount.ToScalar();
        var mean = activeCount > 0 ? perTriplet.sum().div(count) : perTriplet.sum().mul(zero);
        return (mean.MoveToOuterDisposeScope(), (double)activeCount / t.Count, t.Count);
    }
}
