using MlNetSiamese.Evaluation;
using Xunit;

namespace MlNetSiamese.Tests.Evaluation;

/// <summary>Held-out classes and N-way K-shot episodes (issue #22).</summary>
public class OpenSetTests
{
    private static (float[] Embeddings, int[] Labels) Clusters(int classes, int perClass, double spread, int seed)
    {
        var r = new Random(seed);
        const int dim = 8;
        var emb = new float[classes * perClass * dim];
        var labels = new int[classes * perClass];
        for (int c = 0; c < classes; c++)
            for (int i = 0; i < perClass; i++)
            {
                int row = c * perClass + i;
                labels[row] = c;
                for (int d = 0; d < dim; d++) emb[row * dim + d] = (float)((d == c % dim ? 1.0 : 0.0) + spread * (r.NextDouble() - 0.5));
            }
        return (emb, labels);
    }

    [Fact]
    public void SeparatedClassesAreAlwaysRightAndRandomOnesAtChance()
    {
        var (clean, labels) = Clusters(6, 10, 0.1, 1);
        var perfect = FewShotEvaluator.Evaluate(clean, 8, labels, ways: 5, shots: 1, episodes: 200, seed: 3);
        Assert.Equal(1.0, perfect.NearestSupportAccuracy);
        Assert.Equal(1.0, perfect.PrototypeAccuracy);
        Assert.Equal(0.0, perfect.NearestSupportHalfWidth95);
        Assert.Equal(200 * 5 * 5, perfect.Queries);   // 5 queries of each of the 5 classes per episode

        var r = new Random(2);
        var noise = Enumerable.Range(0, clean.Length).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        var chance = FewShotEvaluator.Evaluate(noise, 8, labels, ways: 2, shots: 1, episodes: 2000, seed: 4);
        Assert.InRange(chance.NearestSupportAccuracy, 0.45, 0.55);   // 1 in 2 by chance
        Assert.InRange(chance.NearestSupportHalfWidth95, 0.005, 0.03);
        Assert.Equal(chance, FewShotEvaluator.Evaluate(noise, 8, labels, ways: 2, shots: 1, episodes: 2000, seed: 4));   // seeded
    }

    [Fact]
    public void ThePrototypeAndTheNearestSupportItemCanDisagree()
    {
        // Class 0's two support items point at 0 and 90 degrees (prototype at 45), class 1's one item at 60: a query at
        // 80 degrees is nearest to class 0's 90-degree item, but nearer class 1's prototype (60) than class 0's (45).
        static float[] At(double degrees) => [(float)Math.Cos(degrees * Math.PI / 180), (float)Math.Sin(degrees * Math.PI / 180)];
        float[] embeddings = [.. At(0), .. At(90), .. At(80), .. At(60), .. At(61), .. At(62)];
        int[] labels = [0, 0, 0, 1, 1, 1];
        // With 2 shots, class 1's items (60, 61, 62 degrees) leave one query; class 0's query is the one not drawn as support.
        var result = FewShotEvaluator.Evaluate(embeddings, 2, labels, ways: 2, shots: 2, episodes: 400, queriesPerClass: 1, seed: 5);
        Assert.True(result.NearestSupportAccuracy > result.PrototypeAccuracy,
            $"nearest support {result.NearestSupportAccuracy} should beat the prototype {result.PrototypeAccuracy} on this layout");
    }

    [Fact]
    public void ImpossibleEpisodesAreRefusedNamingTheClass()
    {
        var (emb, labels) = Clusters(3, 4, 0.1, 1);
        var e = Assert.Throws<ArgumentException>(() => FewShotEvaluator.Evaluate(emb, 8, labels, ways: 2, shots: 4, classNames: ["shoe", "bag", "coat"]));
        Assert.Contains("Class 'shoe' has 4 item(s); 4-shot episodes need at least 5", e.Message);
        Assert.Contains("need 5 classes; the data has 3", Assert.Throws<ArgumentException>(() => FewShotEvaluator.Evaluate(emb, 8, labels, ways: 5, shots: 1)).Message);
    }

    [Fact]
    public void HeldOutClassesAreNamedOrASeededShareAndNeverLeaveTooFew()
    {
        string[] classes = ["a", "b", "c", "d", "e", "f"];
        Assert.Equal(["b", "e"], HeldOutClasses.Choose(classes, ["b", "e"], null, 0));
        var half = HeldOutClasses.Choose(classes, null, 0.5, 7);
        Assert.Equal(3, half.Count);
        Assert.Equal(half, HeldOutClasses.Choose(classes, null, 0.5, 7));
        Assert.NotEqual(half, HeldOutClasses.Choose(classes, null, 0.5, 8));

        var unknown = Assert.Throws<ArgumentException>(() => HeldOutClasses.Choose(classes, ["b", "zebra"], null, 0));
        Assert.Contains("Class 'zebra' is not in the data; its classes are a, b, c, d, e, f", unknown.Message);
        Assert.Contains("leaves 0 to train on", Assert.Throws<ArgumentException>(() => HeldOutClasses.Choose(classes, classes, null, 0)).Message);
        Assert.Contains("leaves 1 to train on", Assert.Throws<ArgumentException>(() => HeldOutClasses.Choose(classes, classes[1..], null, 0)).Message);
        Assert.Contains("hold out at least 2", Assert.Throws<ArgumentException>(() => HeldOutClasses.Choose(classes, ["a"], null, 0)).Message);
    }
}
