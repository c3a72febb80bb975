namespace MlNetSiamese.Losses;

/// <summary>Every valid triplet of the batch (anchor and positive share a class, the negative does not).</summary>
internal sealed class BatchAllMiner : ITripletMiner
{
    public Triplets Mine(ReadOnlySpan<float> distances, IReadOnlyList<int> labels)
    {
        int b = labels.Count;
        var list = new List<(int, int, int)>();
        for (int a = 0; a < b; a++)
            for (int p = 0; p < b; p++)
            {
                if (p == a || labels[p] != labels[a]) continue;
                for (int n = 0; n < b; n++)
                    if (labels[n] != labels[a]) list.Add((a, p, n));
            }
        return Triplets.From(list);
    }
}
