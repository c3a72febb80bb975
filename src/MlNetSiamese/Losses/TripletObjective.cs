using static TorchSharp.torch;

namespace MlNetSiamese.Losses;

/// <summary>
/// Distance, miner and loss put together: embeddings [B, D] and labels in, the mean loss over the triplets with a
/// non-zero loss ("active") out, plus the fraction of active triplets. Given triplets skip the miner (offline triplets).
/// </summary>
internal sealed class TripletObjective(IDistance distance, ITripletMiner miner, ITripletLoss loss, float margin)
{
    public (Tensor Loss, double ActiveFraction, int Triplets) Compute(Tensor embeddings, int[] labels, Triplets? given = null)
    {
        using var scope = NewDisposeScope();
        var d = distance.Pairwise(embeddings);
        Triplets t = given ?? miner.Mine(d.detach().cpu().data<float>().ToArray(), labels, margin);
        if (t.Count == 0)
            return ((embeddings.sum() * 0).MoveToOuterDisposeScope(), 0, 0);
        var flat = d.flatten();
        long b = embeddings.shape[0];
        var a = tensor(t.Anchors, device: d.device);
        var ap = flat.index_select(0, a * b + tensor(t.Positives, device: d.device));
        var an = flat.index_select(0, a * b + tensor(t.Negatives, device: d.device));
        var perTriplet = loss.PerTriplet(ap, an);
        var active = perTriplet.gt(1e-12f);
        long activeCount = active.sum().item<long>();
        // Mean over active triplets (the usual "non-zero" reduction); soft-margin losses are all active.
        var mean = activeCount > 0 ? perTriplet.sum() / activeCount : perTriplet.sum() * 0;
        return (mean.MoveToOuterDisposeScope(), (double)activeCount / t.Count, t.Count);
    }
}
