using MlNetSiamese.Training;
using Xunit;

namespace MlNetSiamese.Tests.Training;

public class RandomBatchSamplerTests
{
    private static TrainingSet Set(int rows, int classes) =>
        new(new float[rows * 2], Enumerable.Range(0, rows).Select(i => i % classes).ToArray(), rowSize: 2);

    private static int[][] Epoch(TrainingSet set, int batchSize, int seed)
    {
        var sampler = new RandomBatchSampler(set, batchSize);
        var random = new Random(seed);
        return Enumerable.Range(0, sampler.BatchesPerEpoch).Select(_ => sampler.Next(random).Rows).ToArray();
    }

    [Fact]
    public void AnEpochIsOnePassWithoutRepeatsDroppingTheIncompleteBatch()
    {
        var batches = Epoch(Set(103, 5), batchSize: 10, seed: 1);
        Assert.Equal(10, batches.Length);                                // 103 rows: ten batches of 10, 3 rows dropped
        Assert.All(batches, b => Assert.Equal(10, b.Length));
        var rows = batches.SelectMany(b => b).ToArray();
        Assert.Equal(rows.Length, rows.Distinct().Count());              // no row twice in an epoch
        Assert.All(rows, r => Assert.InRange(r, 0, 102));
        Assert.NotEqual(Enumerable.Range(0, 10), batches[0]);            // shuffled, not in file order
    }

    [Fact]
    public void TheSeedDecidesTheOrder()
    {
        var set = Set(60, 3);
        Assert.Equal(Epoch(set, 8, seed: 4), Epoch(set, 8, seed: 4));
        Assert.NotEqual(Epoch(set, 8, seed: 4), Epoch(set, 8, seed: 5));
    }

    [Fact]
    public void FewerRowsThanTheBatchSizeMakeOneBatchOfAll()
    {
        var batches = Epoch(Set(7, 2), batchSize: 1024, seed: 1);
        Assert.Single(batches);
        Assert.Equal(Enumerable.Range(0, 7), batches[0].Order());
    }

    [Fact]
    public void OneClassOrABatchOfOneIsRefused()
    {
        Assert.Contains("2 classes", Assert.Throws<InvalidOperationException>(() => new RandomBatchSampler(Set(10, 1), 4)).Message);
        Assert.Contains("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new RandomBatchSampler(Set(10, 2), 1)).Message);
    }
}
