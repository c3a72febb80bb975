namespace MlNetSiamese.Evaluation;

/// <summary>
/// N-way K-shot classification episodes on labelled embeddings, the test of a Siamese network on classes it was not
/// trained on (Koch et al. 2015): each episode draws N classes, K support items and some query items of each, and
/// labels every query by the nearest support item and by the nearest class prototype (the normalised mean of its
/// support embeddings), by cosine. Accuracy is the mean over episodes with a 95% interval (1.96 standard errors).
/// Deterministic for a seed.
/// </summary>
public static class FewShotEvaluator
{
    /// <param name="embeddings">Row-major embeddings, <paramref name="dimension"/> values per item (normalised here).</param>
    /// <param name="dimension">Embedding size.</param>
    /// <param name="labels">Class of each item.</param>
    /// <param name="ways">Classes per episode (N), at least 2.</param>
    /// <param name="shots">Support items per class (K), at least 1.</param>
    /// <param name="episodes">Episodes to average, at least 1.</param>
    /// <param name="queriesPerClass">Query items per class and episode (fewer where a class has fewer left).</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <param name="classNames">Names of the classes by label, for messages; null names them by number.</param>
    public static FewShotResult Evaluate(ReadOnlySpan<float> embeddings, int dimension, ReadOnlySpan<int> labels, int ways, int shots,
        int episodes = 1000, int queriesPerClass = 5, int seed = 0, IReadOnlyList<string>? classNames = null)
    {
        if (ways < 2) throw new ArgumentOutOfRangeException(nameof(ways), ways, "ways (N) must be at least 2.");
        if (shots < 1) throw new ArgumentOutOfRangeException(nameof(shots), shots, "shots (K) must be at least 1.");
        if (episodes < 1) throw new ArgumentOutOfRangeException(nameof(episodes), episodes, "episodes must be at least 1.");
        if (queriesPerClass < 1) throw new ArgumentOutOfRangeException(nameof(queriesPerClass), queriesPerClass, "queriesPerClass must be at least 1.");
        var x = EmbeddingMath.NormalizeRows(embeddings, dimension, nameof(embeddings));
        if (labels.Length != x.Length / dimension) throw new ArgumentException($"'labels' has {labels.Length} entries but 'embeddings' has {x.Length / dimension} rows.", nameof(labels));
        var byClass = labels.ToArray().Select((c, i) => (c, i)).GroupBy(p => p.c).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Select(p => p.i).ToArray());
        string Name(int c) => classNames != null && c >= 0 && c < classNames.Count ? classNames[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (c, items) in byClass)
            if (items.Length <= shots)
                throw new ArgumentException($"Class '{Name(c)}' has {items.Length} item(s); {shots}-shot episodes need at least {shots + 1} (the support and a query).", nameof(shots));
        if (byClass.Count < ways)
            throw new ArgumentException($"{ways}-way episodes need {ways} classes; the data has {byClass.Count}.", nameof(ways));

        var random = new Random(seed);
        var classes = byClass.Keys.ToArray();
        var nearest = new double[episodes];
        var prototype = new double[episodes];
        int queriesSeen = 0;
        for (int e = 0; e < episodes; e++)
        {
            var chosen = classes.ToArray();
            random.Shuffle(chosen);
            var support = new List<(int Class, int[] Items)>();
            var queries = new List<(int Class, int Item)>();
            foreach (int c in chosen[..ways])
            {
                var items = byClass[c].ToArray();
                random.Shuffle(items);
                support.Add((c, items[..shots]));
                foreach (int q in items[shots..].Take(queriesPerClass)) queries.Add((c, q));
            }
            var prototypes = support.Select(s => Prototype(x, dimension, s.Items)).ToArray();
            int rightNearest = 0, rightPrototype = 0;
            foreach (var (c, q) in queries)
            {
                var query = x.AsSpan(q * dimension, dimension);
                int bestSupport = -1, bestPrototype = -1;
                double bestS = double.NegativeInfinity, bestP = double.NegativeInfinity;
                for (int s = 0; s < support.Count; s++)
                {
                    foreach (int item in support[s].Items)
                    {
                        double sim = System.Numerics.Tensors.TensorPrimitives.Dot(query, x.AsSpan(item * dimension, dimension));
                        if (sim > bestS) (bestS, bestSupport) = (sim, s);
                    }
                    double p = System.Numerics.Tensors.TensorPrimitives.Dot(query, prototypes[s]);
                    if (p > bestP) (bestP, bestPrototype) = (p, s);
                }
                if (support[bestSupport].Class == c) rightNearest++;
                if (support[bestPrototype].Class == c) rightPrototype++;
            }
            nearest[e] = (double)rightNearest / queries.Count;
            prototype[e] = (double)rightPrototype / queries.Count;
            queriesSeen += queries.Count;
        }
        return new FewShotResult(ways, shots, episodes, queriesSeen, nearest.Average(), HalfWidth95(nearest), prototype.Average(), HalfWidth95(prototype));
    }

    private static float[] Prototype(float[] x, int dimension, int[] items)
    {
        var mean = new float[dimension];
        foreach (int i in items) System.Numerics.Tensors.TensorPrimitives.Add(mean, x.AsSpan(i * dimension, dimension), mean);
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm(mean);
        if (norm > 0) System.Numerics.Tensors.TensorPrimitives.Divide(mean, norm, mean);
        return mean;
    }

    private static double HalfWidth95(double[] values)
    {
        if (values.Length < 2) return double.NaN;
        double mean = values.Average();
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
        return 1.96 * Math.Sqrt(variance / values.Length);
    }
}
