using System.Numerics.Tensors;

namespace MlNetSiamese.Evaluation;

/// <summary>
/// Retrieval metrics (see <see cref="RetrievalMetrics"/>) over plain arrays. Embeddings are row-major flat arrays and
/// are L2-normalised here. Similarities are computed block by block (a block of queries against the whole gallery,
/// SIMD dot products, blocks in parallel), so memory stays O(block x gallery) and no pair loop runs per item.
/// </summary>
public static class RetrievalEvaluator
{
    private const int QueryBlock = 32;

    /// <summary>Leave-one-out retrieval on one set: every item queries all the others.</summary>
    /// <param name="embeddings">Row-major embeddings, <paramref name="dimension"/> values per item.</param>
    /// <param name="dimension">Embedding size.</param>
    /// <param name="labels">Class of each item.</param>
    /// <param name="options">Recall@k and kNN settings; null for defaults.</param>
    public static RetrievalMetrics EvaluateLeaveOneOut(ReadOnlySpan<float> embeddings, int dimension, ReadOnlySpan<int> labels,
        SiameseEvaluationOptions? options = null)
    {
        var norm = EmbeddingMath.NormalizeRows(embeddings, dimension, nameof(embeddings));
        CheckLabels(labels, norm.Length / dimension, nameof(labels), nameof(embeddings));
        var encoding = new LabelEncoding();
        var classes = encoding.Encode(labels);
        return Evaluate(norm, classes, norm, classes, dimension, leaveOneOut: true, encoding.Names, options ?? new());
    }

    /// <summary>Queries against a separate gallery: each query ranks every gallery item.</summary>
    /// <param name="queries">Row-major query embeddings.</param>
    /// <param name="queryLabels">Class of each query.</param>
    /// <param name="gallery">Row-major gallery embeddings.</param>
    /// <param name="galleryLabels">Class of each gallery item.</param>
    /// <param name="dimension">Embedding size (shared by queries and gallery).</param>
    /// <param name="options">Recall@k and kNN settings; null for defaults.</param>
    public static RetrievalMetrics EvaluateQueries(ReadOnlySpan<float> queries, ReadOnlySpan<int> queryLabels,
        ReadOnlySpan<float> gallery, ReadOnlySpan<int> galleryLabels, int dimension, SiameseEvaluationOptions? options = null)
    {
        var q = EmbeddingMath.NormalizeRows(queries, dimension, nameof(queries));
        var g = EmbeddingMath.NormalizeRows(gallery, dimension, nameof(gallery));
        CheckLabels(queryLabels, q.Length / dimension, nameof(queryLabels), nameof(queries));
        CheckLabels(galleryLabels, g.Length / dimension, nameof(galleryLabels), nameof(gallery));
        var encoding = new LabelEncoding();
        var gc = encoding.Encode(galleryLabels);
        var qc = encoding.Encode(queryLabels);
        return Evaluate(q, qc, g, gc, dimension, leaveOneOut: false, encoding.Names, options ?? new());
    }

    private static void CheckLabels(ReadOnlySpan<int> labels, int rows, string labelsName, string embeddingsName)
    {
        if (labels.Length != rows)
            throw new ArgumentException($"'{labelsName}' has {labels.Length} entries but '{embeddingsName}' has {rows} rows.", labelsName);
    }

    /// <summary>Core: normalised rows, dense class indices 0..names.Count-1.</summary>
    internal static RetrievalMetrics Evaluate(float[] queries, int[] queryClasses, float[] gallery, int[] galleryClasses,
        int dim, bool leaveOneOut, IReadOnlyList<string> classNames, SiameseEvaluationOptions options)
    {
        options.Validate();
        int nq = queryClasses.Length, ng = galleryClasses.Length;
        if (leaveOneOut && ng < 2)
            throw new ArgumentException($"Leave-one-out retrieval needs at least 2 items; got {ng}.", "embeddings");
        if (nq < 1) throw new ArgumentException("At least one query is needed.", "queries");
        if (ng < 1) throw new ArgumentException("The gallery must hold at least one item.", "gallery");

        int classCount = classNames.Count;
        var galleryCount = new int[classCount];
        foreach (int c in galleryClasses) galleryCount[c]++;

        int[] ks = options.RecallAtK.Distinct().Order().ToArray();
        int knnK = options.KnnK;
        int maxK = Math.Max(ks[^1], knnK);
        int available = leaveOneOut ? ng - 1 : ng;

        var included = new bool[nq];
        var p1 = new bool[nq];
        var rPrecision = new double[nq];
        var mapAtR = new double[nq];
        var recallHit = new bool[ks.Length * nq];
        var knnCorrect = new bool[nq];

        int blocks = (nq + QueryBlock - 1) / QueryBlock;
        Parallel.For(0, blocks,
            () => (sims: new float[QueryBlock * ng], keys: new ulong[ng]),
            (block, _, buf) =>
            {
                int q0 = block * QueryBlock, q1 = Math.Min(nq, q0 + QueryBlock), bq = q1 - q0;
                // Block of similarities: gallery row outer so it stays in cache across the block's queries.
                for (int g = 0; g < ng; g++)
                {
                    var grow = new ReadOnlySpan<float>(gallery, g * dim, dim);
                    for (int b = 0; b < bq; b++)
                        buf.sims[b * ng + g] = TensorPrimitives.Dot(new ReadOnlySpan<float>(queries, (q0 + b) * dim, dim), grow);
                }
                for (int b = 0; b < bq; b++)
                {
                    int q = q0 + b, cls = queryClasses[q];
                    int r = (cls < galleryCount.Length ? galleryCount[cls] : 0) - (leaveOneOut ? 1 : 0);
                    if (r <= 0) continue;
                    included[q] = true;
                    int n = 0;
                    var row = new ReadOnlySpan<float>(buf.sims, b * ng, ng);
                    for (int g = 0; g < ng; g++)
                        if (!leaveOneOut || g != q) buf.keys[n++] = RankKey.Make(row[g], g);
                    int take = Math.Min(available, Math.Max(r, maxK));
                    var keys = buf.keys.AsSpan(0, n);
                    RankKey.SelectSmallestSorted(keys, take);
                    ScoreQuery(keys[..take], cls, r, galleryClasses, ks, knnK, q, nq,
                        p1, rPrecision, mapAtR, recallHit, knnCorrect);
                }
                return buf;
            },
            _ => { });

        int evaluated = 0;
        double sumP1 = 0, sumRp = 0, sumMap = 0, sumKnn = 0;
        var sumRecall = new double[ks.Length];
        var perClassHits = new int[classCount];
        var perClassCount = new int[classCount];
        for (int q = 0; q < nq; q++)
        {
            if (!included[q]) continue;
            evaluated++;
            if (p1[q]) { sumP1++; perClassHits[queryClasses[q]]++; }
            perClassCount[queryClasses[q]]++;
            sumRp += rPrecision[q];
            sumMap += mapAtR[q];
            if (knnCorrect[q]) sumKnn++;
            for (int i = 0; i < ks.Length; i++) if (recallHit[i * nq + q]) sumRecall[i]++;
        }
        if (evaluated == 0)
            throw new InvalidOperationException(
                "No query has another gallery item of its class, so retrieval metrics are undefined; at least one class needs two items.");

        var recall = new Dictionary<int, double>();
        for (int i = 0; i < ks.Length; i++) recall[ks[i]] = sumRecall[i] / evaluated;
        var perClass = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int c = 0; c < classCount; c++)
            if (perClassCount[c] > 0) perClass[classNames[c]] = (double)perClassHits[c] / perClassCount[c];

        return new RetrievalMetrics(sumP1 / evaluated, sumRp / evaluated, sumMap / evaluated, recall, knnK, sumKnn / evaluated,
            perClass, nq, evaluated, ng, leaveOneOut);
    }

    private static void ScoreQuery(ReadOnlySpan<ulong> ranked, int cls, int r, int[] galleryClasses, int[] ks, int knnK, int q, int nq,
        bool[] p1, double[] rPrecision, double[] mapAtR, bool[] recallHit, bool[] knnCorrect)
    {
        int n = ranked.Length;
        p1[q] = galleryClasses[RankKey.Position(ranked[0])] == cls;

        int hits = 0;
        double ap = 0;
        int firstHit = -1;
        for (int i = 0; i < n; i++)
        {
            bool rel = galleryClasses[RankKey.Position(ranked[i])] == cls;
            if (rel && firstHit < 0) firstHit = i;
            if (i < r && rel) { hits++; ap += (double)hits / (i + 1); }
        }
        rPrecision[q] = (double)hits / r;
        mapAtR[q] = ap / r;
        for (int i = 0; i < ks.Length; i++)
            recallHit[i * nq + q] = firstHit >= 0 && firstHit < ks[i];

        // kNN: majority vote of the top k; a tied vote goes to the class that appears first in rank order.
        int kk = Math.Min(knnK, n);
        int bestClass = -1, bestVotes = 0;
        for (int i = 0; i < kk; i++)
        {
            int c = galleryClasses[RankKey.Position(ranked[i])];
            bool seen = false;
            for (int j = 0; j < i; j++) if (galleryClasses[RankKey.Position(ranked[j])] == c) { seen = true; break; }
            if (seen) continue;
            int votes = 0;
            for (int j = i; j < kk; j++) if (galleryClasses[RankKey.Position(ranked[j])] == c) votes++;
            if (votes > bestVotes) { bestVotes = votes; bestClass = c; }
        }
        knnCorrect[q] = bestClass == cls;
    }
}
