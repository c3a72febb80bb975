namespace MlNetSiamese.Losses;

/// <summary>
/// For each (anchor, positive) pair, the nearest negative that is still farther than the positive (FaceNet's
/// semi-hard negative); when there is none, the farthest negative (as TensorFlow's triplet_semihard_loss does).
/// Ties go to the lower index.
/// </summary>
internal sealed class SemiHardMiner : ITripletMiner
{
    public Triplets Mine(ReadOnlySpan<float> distances, IReadOnlyList<int> labels)
    {
        int b = labels.Count;
        var list = new List<(int, int, int)>();
        for (int a = 0; a < b; a++)
            for (int p = 0; p < b; p++)
            {
                if (p == a || labels[p] != labels[a]) continue;
                float dap = distances[a * b + p];
                int outside = -1, inside = -1;
                for (int n = 0; n < b; n++)
                {
                    if (labels[n] == labels[a]) continue;
                    float dan = distances[a * b + n];
                    if (dan > dap) { if (outside < 0 || dan < distances[a * b + outside]) outside = n; }
                    else if (inside < 0 || dan > distances[a * b + inside]) inside = n;
                }
                int neg = outside >= 0 ? outside : inside;
                if (neg >= 0) list.Add((a, p, neg));
            }
        return Triplets.From(list);
    }
}
