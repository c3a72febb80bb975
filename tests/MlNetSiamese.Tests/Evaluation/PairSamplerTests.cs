using MlNetSiamese.Evaluation;
using Xunit;

namespace MlNetSiamese.Tests.Evaluation;

public class PairSamplerTests
{
    [Fact]
    public void BalancedPairsAreValidAndSeeded()
    {
        int[] labels = [0, 0, 0, 1, 1, 2, 3, 3, 3, 3, 4];
        var (f, s, pos) = PairSampler.Balanced(labels, 500, seed: 7);
        Assert.Equal(1000, f.Length);
        Assert.Equal(500, pos.Count(p => p));
        for (int i = 0; i < f.Length; i++)
        {
            Assert.NotEqual(f[i], s[i]);
            Assert.Equal(pos[i], labels[f[i]] == labels[s[i]]);
        }
        // Singleton classes (2 and 4) never start a positive pair, but do appear in negatives.
        Assert.DoesNotContain(Enumerable.Range(0, 500), i => labels[f[i]] is 2 or 4);
        Assert.Contains(Enumerable.Range(500, 500), i => labels[f[i]] == 4 || labels[s[i]] == 4);

        var again = PairSampler.Balanced(labels, 500, seed: 7);
        Assert.Equal(f, again.First);
        Assert.Equal(s, again.Second);
        var other = PairSampler.Balanced(labels, 500, seed: 8);
        Assert.NotEqual(f, other.First);
    }

    [Fact]
    public void AllPairsEnumeratesEachUnorderedPairOnce()
    {
        int[] labels = [5, 5, 6, 5];
        var (f, s, pos) = PairSampler.AllPairs(labels);
        Assert.Equal(6, f.Length);
        Assert.Equal(6, f.Zip(s).Select(t => (t.First, t.Second)).Distinct().Count());
        Assert.All(f.Zip(s), t => Assert.True(t.First < t.Second));
        Assert.Equal(3, pos.Count(p => p)); // (0,1) (0,3) (1,3)
    }

    [Fact]
    public void AllPairsOnRequestBalancedByDefaultAndScoresAreCosines()
    {
        const int dim = 5;
        var (emb, labels) = TestData.Clustered(30, dim, 3, 1f, 3);
        var pairs = PairSampler.CreateScored(emb.AsSpan(), dim, labels, new() { PairSampling = PairSampling.AllPairs });
        Assert.Equal(PairSampling.AllPairs, pairs.Protocol);
        Assert.Null(pairs.Seed);
        Assert.Equal(30 * 29 / 2, pairs.Scores.Length);
        for (int p = 0; p < pairs.Scores.Length; p += 37)
            Assert.Equal(EmbeddingMath.Cosine(TestData.Row(emb, dim, pairs.First[p]), TestData.Row(emb, dim, pairs.Second[p])), pairs.Scores[p], 5);

        // The default, whatever the set's size: balanced pairs with seed 0, recorded.
        var sampled = PairSampler.CreateScored(emb.AsSpan(), dim, labels, new() { BalancedPairCount = 50 });
        Assert.Equal(PairSampling.Balanced, sampled.Protocol);
        Assert.Equal(0, sampled.Seed);
        Assert.Equal(100, sampled.Scores.Length);
        Assert.Equal(PairSampling.Balanced, PairSampler.CreateScored(emb.AsSpan(), dim, labels).Protocol);
    }

    [Fact]
    public void SetsWithoutPositivesOrNegativesAreRefused()
    {
        Assert.Contains("no positive", Assert.Throws<InvalidOperationException>(() => PairSampler.Balanced([1, 2, 3], 5, 0)).Message);
        Assert.Contains("no negative", Assert.Throws<InvalidOperationException>(() => PairSampler.Balanced([1, 1, 1], 5, 0)).Message);
        Assert.Contains("no negative", Assert.Throws<InvalidOperationException>(() => PairSampler.AllPairs([1, 1])).Message);
    }
}
