using MlNetSiamese.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Losses;

/// <summary>Distances, miners and losses against naive reference loops on random batches.</summary>
public class MinerAndLossTests
{
    private static (float[] Embeddings, int[] Labels, int B, int D) RandomBatch(int seed, int b = 12, int d = 5, int classes = 3)
    {
        var r = new Random(seed);
        var e = new float[b * d];
        for (int i = 0; i < b; i++)
        {
            double norm = 0;
            for (int k = 0; k < d; k++) { e[i * d + k] = (float)(r.NextDouble() * 2 - 1); norm += e[i * d + k] * e[i * d + k]; }
            for (int k = 0; k < d; k++) e[i * d + k] /= (float)Math.Sqrt(norm);
        }
        return (e, Enumerable.Range(0, b).Select(i => r.Next(classes)).ToArray(), b, d);
    }

    private static float NaiveCosineDistance(float[] e, int d, int i, int j)
    {
        double dot = 0, ni = 0, nj = 0;
        for (int k = 0; k < d; k++) { dot += e[i * d + k] * e[j * d + k]; ni += e[i * d + k] * e[i * d + k]; nj += e[j * d + k] * e[j * d + k]; }
        return (float)(1 - dot / Math.Sqrt(ni * nj));
    }

    private static float[] Matrix(IDistance distance, float[] e, int b, int d)
    {
        using var t = tensor(e, new long[] { b, d });
        using var m = distance.Pairwise(t);
        return m.data<float>().ToArray();
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)]
    public void DistancesMatchNaiveFormulas(int seed)
    {
        var (e, _, b, d) = RandomBatch(seed);
        var cos = Matrix(new CosineDistance(), e, b, d);
        var euc = Matrix(new EuclideanDistance(), e, b, d);
        for (int i = 0; i < b; i++)
            for (int j = 0; j < b; j++)
            {
                float c = NaiveCosineDistance(e, d, i, j);
                Assert.True(Math.Abs(c - cos[i * b + j]) < 1e-5, $"cosine [{i},{j}]: {cos[i * b + j]} vs {c}");
                double l2 = Math.Sqrt(Enumerable.Range(0, d).Sum(k => Math.Pow(e[i * d + k] - e[j * d + k], 2)));
                // On the diagonal float rounding of 2 - 2cos leaves up to ~1e-3 after the square root.
                Assert.True(Math.Abs((i == j ? 0 : l2) - euc[i * b + j]) < (i == j ? 2e-3 : 1e-4), $"euclidean [{i},{j}]: {euc[i * b + j]} vs {l2}");
            }
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    public void BatchAllMinesExactlyTheValidTriplets(int seed)
    {
        var (e, labels, b, d) = RandomBatch(seed);
        var mined = new BatchAllMiner().Mine(Matrix(new CosineDistance(), e, b, d), labels);
        var got = Enumerable.Range(0, mined.Count).Select(i => (mined.Anchors[i], mined.Positives[i], mined.Negatives[i])).ToHashSet();
        long expected = labels.GroupBy(l => l).Sum(g => (long)g.Count() * (g.Count() - 1) * (b - g.Count()));
        Assert.Equal(expected, got.Count);
        Assert.All(got, t => { Assert.NotEqual(t.Item1, t.Item2); Assert.Equal(labels[t.Item1], labels[t.Item2]); Assert.NotEqual(labels[t.Item1], labels[t.Item3]); });
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    public void BatchHardPicksFarthestPositiveAndNearestNegative(int seed)
    {
        var (e, labels, b, d) = RandomBatch(seed);
        var mined = new BatchHardMiner().Mine(Matrix(new CosineDistance(), e, b, d), labels);
        var expected = new List<(long, long, long)>();
        for (int a = 0; a < b; a++)
        {
            var pos = Enumerable.Range(0, b).Where(j => j != a && labels[j] == labels[a]).ToList();
            var neg = Enumerable.Range(0, b).Where(j => labels[j] != labels[a]).ToList();
            if (pos.Count == 0 || neg.Count == 0) continue;
            int p = pos.OrderByDescending(j => NaiveCosineDistance(e, d, a, j)).First();
            int n = neg.OrderBy(j => NaiveCosineDistance(e, d, a, j)).First();
            expected.Add((a, p, n));
        }
        Assert.Equal(expected, Enumerable.Range(0, mined.Count).Select(i => (mined.Anchors[i], mined.Positives[i], mined.Negatives[i])));
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    public void SemiHardPicksNearestFartherNegativeElseFarthest(int seed)
    {
        var (e, labels, b, d) = RandomBatch(seed);
        var mined = new SemiHardMiner().Mine(Matrix(new CosineDistance(), e, b, d), labels);
        var expected = new List<(long, long, long)>();
        for (int a = 0; a < b; a++)
            for (int p = 0; p < b; p++)
            {
                if (p == a || labels[p] != labels[a]) continue;
                float dap = NaiveCosineDistance(e, d, a, p);
                var neg = Enumerable.Range(0, b).Where(j => labels[j] != labels[a]).ToList();
                if (neg.Count == 0) continue;
                var farther = neg.Where(j => NaiveCosineDistance(e, d, a, j) > dap).ToList();
                int n = farther.Count > 0 ? farther.OrderBy(j => NaiveCosineDistance(e, d, a, j)).First() : neg.OrderByDescending(j => NaiveCosineDistance(e, d, a, j)).First();
                expected.Add((a, p, n));
            }
        var got = Enumerable.Range(0, mined.Count).Select(i => (mined.Anchors[i], mined.Positives[i], mined.Negatives[i])).ToList();
        Assert.Equal(expected.Count, got.Count);
        // Float ties between the torch matrix and the double loop are possible only at the 1e-7 level: compare distances.
        for (int i = 0; i < got.Count; i++)
        {
            Assert.Equal(expected[i].Item1, got[i].Item1);
            Assert.Equal(expected[i].Item2, got[i].Item2);
            Assert.Equal(NaiveCosineDistance(e, d, (int)expected[i].Item1, (int)expected[i].Item3), NaiveCosineDistance(e, d, (int)got[i].Item1, (int)got[i].Item3), 5);
        }
    }

    [Theory]
    [InlineData(TripletLossKind.Margin, 1)] [InlineData(TripletLossKind.Margin, 2)]
    [InlineData(TripletLossKind.SoftMargin, 1)] [InlineData(TripletLossKind.SoftMargin, 2)]
    public void ObjectiveEqualsNaiveMeanOverActiveTriplets(TripletLossKind kind, int seed)
    {
        var (e, labels, b, d) = RandomBatch(seed);
        const float margin = 0.4f;
        ITripletLoss loss = kind == TripletLossKind.Margin ? new MarginTripletLoss(margin) : new SoftMarginTripletLoss();
        var objective = new TripletObjective(new CosineDistance(), new BatchAllMiner(), loss);
        using var t = tensor(e, new long[] { b, d });
        var (value, active, count) = objective.Compute(t, labels);

        double sum = 0; int n = 0, total = 0;
        for (int a = 0; a < b; a++)
            for (int p = 0; p < b; p++)
                for (int q = 0; q < b; q++)
                {
                    if (p == a || labels[p] != labels[a] || labels[q] == labels[a]) continue;
                    double gap = NaiveCosineDistance(e, d, a, p) - NaiveCosineDistance(e, d, a, q);
                    double l = kind == TripletLossKind.Margin ? Math.Max(0, gap + margin) : Math.Log(1 + Math.Exp(gap));
                    total++;
                    if (l > 1e-12) { sum += l; n++; }
                }
        Assert.Equal(total, count);
        Assert.Equal((double)n / total, active, 3);
        Assert.Equal(sum / n, value.item<float>(), 4);
    }

    [Fact]
    public void LossGradientPullsPositivesInAndPushesNegativesOut()
    {
        // Three points: anchor, positive far away, negative close: one step of gradient descent must improve the gap.
        var e = tensor(new float[] { 1, 0, 0, 1, 0.9f, 0.43589f }, new long[] { 3, 2 }, requires_grad: true);
        var objective = new TripletObjective(new CosineDistance(), new BatchAllMiner(), new MarginTripletLoss(0.4f));
        var (loss, _, _) = objective.Compute(e, new[] { 0, 0, 1 });
        loss.backward();
        using var _ = no_grad();
        using var step = 0.1f.ToScalar();
        var moved = (e - e.grad!.mul(step)).detach();
        var normed = nn.functional.normalize(moved, p: 2, dim: 1);
        var dist = new CosineDistance().Pairwise(normed).data<float>().ToArray();
        var before = new CosineDistance().Pairwise(nn.functional.normalize(e.detach(), p: 2, dim: 1)).data<float>().ToArray();
        Assert.True(dist[1] - dist[2] < before[1] - before[2]);
    }
}
