namespace MlNetSiamese.Training;

/// <summary>
/// P classes x K samples per batch, for online mining. Classes with fewer than K rows are sampled with replacement;
/// only classes with at least two rows are drawn, so every anchor has a positive.
/// </summary>
internal sealed class ClassBalancedSampler : IBatchSampler
{
    private readonly int[][] byClass;
    private readonly int[] eligible;
    private readonly int p, k;

    public ClassBalancedSampler(TrainingSet set, int classesPerBatch, int samplesPerClass)
    {
        byClass = set.IndicesByClass();
        eligible = Enumerable.Range(0, byClass.Length).Where(c => byClass[c].Length >= 2).ToArray();
        if (eligible.Length < 2)
            throw new InvalidOperationException($"Online mining needs at least 2 classes with 2 or more examples each; the training data has {eligible.Length}.");
        p = Math.Min(classesPerBatch, eligible.Length);
        k = samplesPerClass;
        BatchesPerEpoch = Math.Max(1, (int)Math.Ceiling(set.Count / (double)(p * k)));
    }

    public int BatchesPerEpoch { get; }

    public SampledBatch Next(Random random)
    {
        // Partial Fisher-Yates in place, for the classes and for the members of each: the arrays are this
        // sampler's own, their order only changes which rows the seeded random picks, and nothing is copied.
        PickInPlace(eligible, p, random);
        var rows = new int[p * k];
        for (int c = 0; c < p; c++)
        {
            int[] members = byClass[eligible[c]];
            if (members.Length >= k)
            {
                PickInPlace(members, k, random);
                Array.Copy(members, 0, rows, c * k, k);
            }
            else
                for (int j = 0; j < k; j++) rows[c * k + j] = members[random.Next(members.Length)];
        }
        return new SampledBatch(rows, null);
    }

    /// <summary>Moves <paramref name="count"/> distinct, uniformly drawn items to the front of <paramref name="items"/>.</summary>
    private static void PickInPlace(int[] items, int count, Random random)
    {
        for (int j = 0; j < count; j++)
        {
            int pick = random.Next(j, items.Length);
            (items[j], items[pick]) = (items[pick], items[j]);
        }
    }
}
