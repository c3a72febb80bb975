using MlNetSiamese.Losses;

namespace MlNetSiamese.Training;

/// <summary>
/// The reference article's offline triplets: each batch holds B anchors drawn at random, one positive of the same
/// class (another row) and one negative of another class each. Rows are laid out [anchors | positives | negatives].
/// </summary>
internal sealed class RandomTripletSampler : IBatchSampler
{
    private readonly TrainingSet set;
    private readonly int[][] byClass;
    private readonly int[] anchorsPool;
    private readonly int triplets;
    private readonly Triplets layout;

    public RandomTripletSampler(TrainingSet set, int tripletsPerBatch)
    {
        this.set = set;
        byClass = set.IndicesByClass();
        anchorsPool = Enumerable.Range(0, set.Count).Where(i => byClass[set.Labels[i]].Length >= 2).ToArray();
        if (anchorsPool.Length == 0 || byClass.Count(c => c.Length > 0) < 2)
            throw new InvalidOperationException("Triplets need a class with 2 or more examples (anchor and positive) and a second class (negative); the training data has none.");
        triplets = tripletsPerBatch;
        BatchesPerEpoch = Math.Max(1, (int)Math.Ceiling(set.Count / (double)tripletsPerBatch));
        var idx = Enumerable.Range(0, triplets).Select(i => (long)i).ToArray();
        layout = new Triplets(idx, idx.Select(i => i + triplets).ToArray(), idx.Select(i => i + 2L * triplets).ToArray());
    }

    public int BatchesPerEpoch { get; }

    public SampledBatch Next(Random random)
    {
        var rows = new int[3 * triplets];
        for (int t = 0; t < triplets; t++)
        {
            int a = anchorsPool[random.Next(anchorsPool.Length)];
            int label = set.Labels[a];
            int[] same = byClass[label];
            int p;
            do p = same[random.Next(same.Length)]; while (p == a);
            int n;
            do n = random.Next(set.Count); while (set.Labels[n] == label);
            rows[t] = a; rows[triplets + t] = p; rows[2 * triplets + t] = n;
        }
        return new SampledBatch(rows, layout);
    }
}
