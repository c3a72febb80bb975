using System.Numerics.Tensors;

namespace MlNetSiamese.Evaluation;

/// <summary>Forms evaluation pairs from labelled embeddings and scores them by cosine similarity.</summary>
public static class PairSampler
{
    /// <summary>
    /// Pairs for <paramref name="embeddings"/> (row-major, normalised here) with <paramref name="labels"/>, formed as
    /// <paramref name="options"/> says (balanced sampling with a seed by default, or all pairs), and scored.
    /// </summary>
    public static ScoredPairs CreateScored(ReadOnlySpan<float> embeddings, int dimension, ReadOnlySpan<int> labels,
        SiameseEvaluationOptions? options = null)
    {
        var norm = EmbeddingMath.NormalizeRows(embeddings, dimension, nameof(embeddings));
        if (labels.Length != norm.Length / dimension)
            throw new ArgumentException($"'labels' has {labels.Length} entries but 'embeddings' has {norm.Length / dimension} rows.", nameof(labels));
        return CreateScored(norm, dimension, labels.ToArray(), options ?? new());
    }

    /// <summary>Core: rows already normalised.</summary>
    internal static ScoredPairs CreateScored(float[] normalized, int dim, int[] labels, SiameseEvaluationOptions options)
    {
        options.Validate();
        int n = labels.Length;
        if (n < 2) throw new ArgumentException($"Pair metrics need at least 2 items; got {n}.", "embeddings");
        var protocol = options.PairSampling;
        var (first, second, positive) = protocol == PairSampling.AllPairs
            ? AllPairs(labels)
            : Balanced(labels, options.BalancedPairCount, options.Seed);
        var scores = new float[first.Length];
        Parallel.For(0, (scores.Length + 4095) / 4096, chunk =>
        {
            int end = Math.Min(scores.Length, (chunk + 1) * 4096);
            for (int p = chunk * 4096; p < end; p++)
                scores[p] = TensorPrimitives.Dot(new ReadOnlySpan<float>(normalized, first[p] * dim, dim),
                                                 new ReadOnlySpan<float>(normalized, second[p] * dim, dim));
        });
        return new ScoredPairs(first, second, positive, scores, protocol, protocol == PairSampling.Balanced ? options.Seed : null);
    }

    /// <summary>Every unordered pair (i &lt; j), in row order.</summary>
    public static (int[] First, int[] Second, bool[] IsPositive) AllPairs(ReadOnlySpan<int> labels)
    {
        long n = labels.Length;
        long count = n * (n - 1) / 2;
        if (count > Array.MaxLength)
            throw new ArgumentException($"All pairs of {n} items ({count}) is too many; use balanced sampling.", nameof(labels));
        var first = new int[count];
        var second = new int[count];
        var positive = new bool[count];
        long p = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, p++)
            {
                first[p] = i; second[p] = j; positive[p] = labels[i] == labels[j];
            }
        CheckBothKinds(positive.Contains(true), positive.Contains(false));
        return (first, second, positive);
    }

    /// <summary>
    /// <paramref name="pairCount"/> positive and <paramref name="pairCount"/> negative pairs drawn with replacement
    /// using <paramref name="seed"/>: a positive takes a uniformly drawn item whose class has another member and a
    /// uniformly drawn other member; a negative takes a uniformly drawn item and a uniformly drawn item of another class.
    /// Positives come first.
    /// </summary>
    public static (int[] First, int[] Second, bool[] IsPositive) Balanced(ReadOnlySpan<int> labels, int pairCount, int seed)
    {
        if (pairCount < 1) throw new ArgumentOutOfRangeException(nameof(pairCount), pairCount, "pairCount must be at least 1.");
        int n = labels.Length;
        // Items ordered by class: class c occupies order[start[c] .. start[c] + size[c]).
        var encoding = new LabelEncoding();
        var cls = encoding.Encode(labels);
        int classCount = encoding.Count;
        var size = new int[classCount];
        foreach (int c in cls) size[c]++;
        var start = new int[classCount];
        for (int c = 1; c < classCount; c++) start[c] = start[c - 1] + size[c - 1];
        var order = new int[n];
        var fill = (int[])start.Clone();
        var rankInClass = new int[n];
        for (int i = 0; i < n; i++) { rankInClass[i] = fill[cls[i]] - start[cls[i]]; order[fill[cls[i]]++] = i; }

        var eligible = Enumerable.Range(0, n).Where(i => size[cls[i]] >= 2).ToArray();
        CheckBothKinds(eligible.Length > 0, classCount >= 2);

        var rng = new Random(seed);
        var first = new int[2 * pairCount];
        var second = new int[2 * pairCount];
        var positive = new bool[2 * pairCount];
        for (int p = 0; p < pairCount; p++)
        {
            int i = eligible[rng.Next(eligible.Length)];
            int c = cls[i];
            int r = rng.Next(size[c] - 1);
            if (r >= rankInClass[i]) r++;
            first[p] = i; second[p] = order[start[c] + r]; positive[p] = true;
        }
        for (int p = pairCount; p < 2 * pairCount; p++)
        {
            int i = rng.Next(n);
            int c = cls[i];
            int r = rng.Next(n - size[c]);
            if (r >= start[c]) r += size[c];
            first[p] = i; second[p] = order[r];
        }
        return (first, second, positive);
    }

    /// <summary>
    /// Pairs of a query (row of <paramref name="queryLabels"/>) and a gallery item (row of <paramref name="galleryLabels"/>):
    /// every combination when there are at most <paramref name="maxAllPairs"/>, else <paramref name="pairCount"/> positive
    /// and <paramref name="pairCount"/> negative pairs drawn with <paramref name="seed"/> (positives first).
    /// </summary>
    public static (int[] Query, int[] Gallery, bool[] IsPositive) Cross(ReadOnlySpan<int> queryLabels, ReadOnlySpan<int> galleryLabels,
        long maxAllPairs, int pairCount, int seed)
    {
        int nq = queryLabels.Length, ng = galleryLabels.Length;
        if (nq < 1 || ng < 1) throw new ArgumentException("Cross pairs need at least one query and one gallery item.", nameof(queryLabels));
        var byClass = new Dictionary<int, List<int>>();
        for (int g = 0; g < ng; g++)
        {
            if (!byClass.TryGetValue(galleryLabels[g], out var list)) byClass[galleryLabels[g]] = list = new();
            list.Add(g);
        }
                var labelsOfQueries = queryLabels.ToArray();
        var withPartner = Enumerable.Range(0, nq).Where(q => byClass.ContainsKey(labelsOfQueries[q])).ToArray();
        var withStranger = Enumerable.Range(0, nq).Where(q => (byClass.TryGetValue(labelsOfQueries[q], out var own) ? own.Count : 0) < ng).ToArray();
        CheckBothKinds(withPartner.Length > 0, withStranger.Length > 0);

        if ((long)nq * ng <= maxAllPairs)
        {
            int count = nq * ng;
            var qa = new int[count]; var ga = new int[count]; var pa = new bool[count];
            for (int q = 0, p = 0; q < nq; q++)
                for (int g = 0; g < ng; g++, p++) { qa[p] = q; ga[p] = g; pa[p] = queryLabels[q] == galleryLabels[g]; }
            return (qa, ga, pa);
        }

        // Gallery rows grouped by class, so "any gallery item of another class" is one uniform draw.
        var order = byClass.Values.SelectMany(l => l).ToArray();
        var start = new Dictionary<int, int>();
        int offset = 0;
        foreach (var (label, list) in byClass) { start[label] = offset; offset += list.Count; }
        var rng = new Random(seed);
        var first = new int[2 * pairCount]; var second = new int[2 * pairCount]; var positive = new bool[2 * pairCount];
        for (int p = 0; p < pairCount; p++)
        {
            int q = withPartner[rng.Next(withPartner.Length)];
            var members = byClass[queryLabels[q]];
            first[p] = q; second[p] = members[rng.Next(members.Count)]; positive[p] = true;
        }
        for (int p = pairCount; p < 2 * pairCount; p++)
        {
            int q = withStranger[rng.Next(withStranger.Length)];
            int size = byClass.TryGetValue(queryLabels[q], out var own) ? own.Count : 0;
            int r = rng.Next(ng - size);
            if (size > 0 && r >= start[queryLabels[q]]) r += size;
            first[p] = q; second[p] = order[r];
        }
        return (first, second, positive);
    }

    /// <summary>Core of the query/gallery pair metrics: rows already normalised.</summary>
    internal static ScoredPairs CreateScoredCross(float[] queries, int[] queryLabels, float[] gallery, int[] galleryLabels, int dim,
        SiameseEvaluationOptions options)
    {
        options.Validate();
        long maxAll = options.PairSampling == PairSampling.AllPairs ? long.MaxValue : 0;
        var (first, second, positive) = Cross(queryLabels, galleryLabels, maxAll, options.BalancedPairCount, options.Seed);
        var protocol = (long)queryLabels.Length * galleryLabels.Length <= maxAll ? PairSampling.AllPairs : PairSampling.Balanced;
        var scores = new float[first.Length];
        Parallel.For(0, (scores.Length + 4095) / 4096, chunk =>
        {
            int end = Math.Min(scores.Length, (chunk + 1) * 4096);
            for (int p = chunk * 4096; p < end; p++)
                scores[p] = TensorPrimitives.Dot(new ReadOnlySpan<float>(queries, first[p] * dim, dim),
                                                 new ReadOnlySpan<float>(gallery, second[p] * dim, dim));
        });
        return new ScoredPairs(first, second, positive, scores, protocol, protocol == PairSampling.Balanced ? options.Seed : null);
    }

    private static void CheckBothKinds(bool hasPositive, bool hasNegative)
    {
        if (!hasPositive)
            throw new InvalidOperationException("No two items share a label, so there are no positive pairs; pair metrics need a class with at least two items.");
        if (!hasNegative)
            throw new InvalidOperationException("All items share one label, so there are no negative pairs; pair metrics need at least two classes.");
    }
}
