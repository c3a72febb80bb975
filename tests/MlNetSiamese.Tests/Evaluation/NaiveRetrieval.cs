using MlNetSiamese.Evaluation;

namespace MlNetSiamese.Tests.Evaluation;

/// <summary>Straightforward per-query reference for the retrieval metrics (double precision, full sort, by definition).</summary>
internal sealed class NaiveRetrieval
{
    public double P1, RPrecision, MapAtR, Knn;
    public Dictionary<int, double> Recall = new();
    public Dictionary<string, double> PerClass = new();
    public int Evaluated;

    public static NaiveRetrieval Compute(float[] q, int[] ql, float[] g, int[] gl, int dim, bool leaveOneOut, int[] ks, int knnK)
    {
        var res = new NaiveRetrieval();
        int nq = ql.Length, ng = gl.Length;
        var perClassHits = new Dictionary<int, (int hit, int n)>();
        var recallSums = ks.ToDictionary(k => k, _ => 0.0);
        for (int i = 0; i < nq; i++)
        {
            var qi = TestData.Row(q, dim, i);
            var ranked = Enumerable.Range(0, ng).Where(j => !leaveOneOut || j != i)
                .Select(j => (j, s: EmbeddingMath.Cosine(qi, TestData.Row(g, dim, j))))
                .OrderByDescending(t => t.s).ThenBy(t => t.j).Select(t => t.j).ToList();
            int r = ranked.Count(j => gl[j] == ql[i]);
            if (r == 0) continue;
            res.Evaluated++;
            bool p1 = gl[ranked[0]] == ql[i];
            res.P1 += p1 ? 1 : 0;
            var e = perClassHits.GetValueOrDefault(ql[i]);
            perClassHits[ql[i]] = (e.hit + (p1 ? 1 : 0), e.n + 1);
            int hits = 0; double ap = 0;
            for (int pos = 0; pos < r; pos++)
                if (gl[ranked[pos]] == ql[i]) { hits++; ap += (double)hits / (pos + 1); }
            res.RPrecision += (double)hits / r;
            res.MapAtR += ap / r;
            foreach (int k in ks) if (ranked.Take(k).Any(j => gl[j] == ql[i])) recallSums[k]++;
            var top = ranked.Take(knnK).Select(j => gl[j]).ToList();
            int winner = top.Distinct().OrderByDescending(c => top.Count(x => x == c)).ThenBy(c => top.IndexOf(c)).First();
            res.Knn += winner == ql[i] ? 1 : 0;
        }
        res.P1 /= res.Evaluated; res.RPrecision /= res.Evaluated; res.MapAtR /= res.Evaluated; res.Knn /= res.Evaluated;
        foreach (int k in ks) res.Recall[k] = recallSums[k] / res.Evaluated;
        foreach (var (c, (hit, n)) in perClassHits) res.PerClass[c.ToString()] = (double)hit / n;
        return res;
    }
}
