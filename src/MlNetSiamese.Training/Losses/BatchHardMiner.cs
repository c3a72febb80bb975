namespace MlNetSiamese.Losses;

/// <summary>For each anchor, its farthest positive and its nearest negative (Hermans et al., 2017). Ties go to the lower index.</summary>
internal sealed class BatchHardMiner : ITripletMiner
{
    public Triplets Mine(ReadOnlySpan<float> distances, IReadOnlyList<int> labels)
    {
        int b = labels.Count;
        var list = new List<(int, int, int)>();
        for (int a = 0; a < b; a++)
        {
            int hardP = -1, hardN = -1;
            for (int j = 0; j < b; j++)
            {
                if (j == a) continue;
                float d = distances[a * b + j];
                if (labels[j] == labels[a]) { if (hardP < 0 || d > distances[a * b + hardP]) hardP = j; }
                else if (hardN < 0 || d < distances[a * b + hardN]) hardN = j;
            }
            if (hardP >= 0 && hardN >= 0) list.Add((a, hardP, hardN));
        }
        return Triplets.From(list);
    }
}
