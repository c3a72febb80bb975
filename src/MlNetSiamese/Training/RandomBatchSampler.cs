namespace MlNetSiamese.Training;

/// <summary>
/// Batches of B rows in a random order, one pass over the data per epoch without repeats (the last, incomplete batch is
/// dropped, as airbench's loader does), for online mining on large batches: with B much larger than the number of
/// classes nearly every row has positives in its batch, without the P x K layout of <see cref="ClassBalancedSampler"/>.
/// A training set of fewer than B rows gives one batch of all of them.
/// </summary>
internal sealed class RandomBatchSampler : IBatchSampler
{
    private readonly int count, batchSize;
    private int[]? order;
    private int next;

    public RandomBatchSampler(TrainingSet set, int batchSize)
    {
        if (batchSize < 2) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "BatchSize must be at least 2.");
        var byClass = set.IndicesByClass();
        if (!byClass.Any(c => c.Length >= 2) || byClass.Count(c => c.Length > 0) < 2)
            throw new InvalidOperationException("Online mining needs at least 2 classes and one class with 2 or more examples; the training data has fewer.");
        count = set.Count;
        this.batchSize = Math.Min(batchSize, count);
        BatchesPerEpoch = count / this.batchSize;
    }

    public int BatchesPerEpoch { get; }

    /// <summary>The next batch; the first call of an epoch's sampler shuffles the rows with <paramref name="random"/>.</summary>
    public Batch Next(Random random)
    {
        if (order == null || next + batchSize > count)
        {
            order = Enumerable.Range(0, count).ToArray();
            random.Shuffle(order);
            next = 0;
        }
        var rows = order.AsSpan(next, batchSize).ToArray();
        next += batchSize;
        return new Batch(rows, null);
    }
}
