using Microsoft.ML.Data;
using MlNetSiamese.Pipeline;
using MlNetSiamese;
using MlNetSiamese.Catalog;
using MlNetSiamese.Evaluation;

namespace Microsoft.ML;

/// <summary>Entry point of MlNetSiamese on <see cref="MLContext"/>: <c>ml.Siamese()</c>.</summary>
public static class SiameseMLContextExtensions
{
    /// <summary>The Siamese / similarity-learning catalog: evaluation, threshold calibration, similarity search.</summary>
    public static SiameseCatalog Siamese(this MLContext ml)
    {
        ArgumentNullException.ThrowIfNull(ml);
        return new SiameseCatalog(ml);
    }
}

/// <summary>
/// Similarity-learning operations on embeddings held in an <see cref="IDataView"/>. Embedding columns are known-size
/// vectors of Single (normalised here; NaN or zero vectors are refused); label columns may be key, text, integer,
/// floating-point or boolean.
/// </summary>
public sealed partial class SiameseCatalog
{
    internal SiameseCatalog(MLContext context) => Context = context;

    /// <summary>The context this catalog was obtained from.</summary>
    internal MLContext Context { get; }

    /// <summary>
    /// Leave-one-out evaluation of one labelled set: every item queries all others (retrieval metrics), and pairs are
    /// formed within the set (pair-verification metrics).
    /// </summary>
    /// <param name="data">Rows with a label and an embedding.</param>
    /// <param name="labelColumnName">Class of each row.</param>
    /// <param name="embeddingColumnName">Known-size float vector.</param>
    /// <param name="options">Metric settings; null for defaults.</param>
    public SiameseMetrics Evaluate(IDataView data, string labelColumnName = "Label", string embeddingColumnName = "Embedding",
        SiameseEvaluationOptions? options = null)
    {
        options ??= new();
        options.Validate();
        var encoding = new LabelEncoding();
        var set = LabelledEmbeddings.Read(data, labelColumnName, embeddingColumnName, encoding);
        if (set.Count < 2) throw new ArgumentException($"Evaluation needs at least 2 rows; '{nameof(data)}' has {set.Count}.", nameof(data));
        var retrieval = RetrievalEvaluator.Evaluate(set.Vectors, set.Classes, set.Vectors, set.Classes, set.Dimension, leaveOneOut: true,
            encoding.Names, options);
        PairMetrics? pairs = null;
        if (options.ComputePairMetrics)
        {
            var scored = PairSampler.CreateScored(set.Vectors, set.Dimension, set.Classes, options);
            pairs = PairEvaluator.Evaluate(scored.Scores, scored.IsPositive, options.HistogramBins, scored.Protocol);
            pairs.Seed = scored.Seed;
        }
        return new SiameseMetrics(retrieval, pairs);
    }

    /// <summary>
    /// Evaluation of queries against a separate gallery: each query ranks all gallery rows (retrieval metrics), and
    /// pairs are (query, gallery item) combinations (pair-verification metrics).
    /// </summary>
    /// <param name="queries">Query rows with a label and an embedding.</param>
    /// <param name="gallery">Gallery rows with the same columns.</param>
    /// <param name="labelColumnName">Class of each row.</param>
    /// <param name="embeddingColumnName">Known-size float vector, same size in both views.</param>
    /// <param name="options">Metric settings; null for defaults.</param>
    public SiameseMetrics Evaluate(IDataView queries, IDataView gallery, string labelColumnName = "Label",
        string embeddingColumnName = "Embedding", SiameseEvaluationOptions? options = null)
    {
        options ??= new();
        options.Validate();
        var encoding = new LabelEncoding();
        var g = LabelledEmbeddings.Read(gallery, labelColumnName, embeddingColumnName, encoding, nameof(gallery));
        var q = LabelledEmbeddings.Read(queries, labelColumnName, embeddingColumnName, encoding, nameof(queries));
        if (q.Dimension != g.Dimension)
            throw new ArgumentException($"Embedding column '{embeddingColumnName}' has size {q.Dimension} in '{nameof(queries)}' but {g.Dimension} in '{nameof(gallery)}'.", nameof(queries));
        if (q.Count < 1) throw new ArgumentException($"'{nameof(queries)}' has no rows.", nameof(queries));
        if (g.Count < 1) throw new ArgumentException($"'{nameof(gallery)}' has no rows.", nameof(gallery));
        var retrieval = RetrievalEvaluator.Evaluate(q.Vectors, q.Classes, g.Vectors, g.Classes, g.Dimension, leaveOneOut: false,
            encoding.Names, options);
        PairMetrics? pairs = null;
        if (options.ComputePairMetrics)
        {
            var scored = PairSampler.CreateScoredCross(q.Vectors, q.Classes, g.Vectors, g.Classes, g.Dimension, options);
            pairs = PairEvaluator.Evaluate(scored.Scores, scored.IsPositive, options.HistogramBins, scored.Protocol);
            pairs.Seed = scored.Seed;
        }
        return new SiameseMetrics(retrieval, pairs);
    }

    /// <summary>
    /// Chooses a cosine-similarity threshold on a labelled validation set (pairs formed as in evaluation) for the
    /// objective in <paramref name="options"/> (best F1 by default, or the highest recall at a minimum precision).
    /// </summary>
    /// <param name="data">Validation rows with a label and an embedding.</param>
    /// <param name="labelColumnName">Class of each row.</param>
    /// <param name="embeddingColumnName">Known-size float vector.</param>
    /// <param name="options">Objective and pair formation; null for defaults.</param>
    public ThresholdCalibration CalibrateThreshold(IDataView data, string labelColumnName = "Label", string embeddingColumnName = "Embedding",
        CalibrationOptions? options = null)
    {
        options ??= new();
        var encoding = new LabelEncoding();
        var set = LabelledEmbeddings.Read(data, labelColumnName, embeddingColumnName, encoding);
        if (set.Count < 2) throw new ArgumentException($"Calibration needs at least 2 rows; '{nameof(data)}' has {set.Count}.", nameof(data));
        var scored = PairSampler.CreateScored(set.Vectors, set.Dimension, set.Classes, options.ToPairOptions());
        return ThresholdCalibrator.Calibrate(scored.Scores, scored.IsPositive, options.Objective, options.TargetPrecision, options.PositiveRate);
    }

    /// <summary>
    /// How a fixed threshold (calibrated elsewhere, e.g. on validation rows) does on the pairs of <paramref name="data"/>,
    /// formed as in <see cref="Evaluate(IDataView, string, string, SiameseEvaluationOptions?)"/>.
    /// </summary>
    /// <param name="data">Rows with a label and an embedding column, e.g. the embedded test split.</param>
    /// <param name="threshold">The cosine-similarity threshold to assess.</param>
    /// <param name="labelColumnName">Class of each row.</param>
    /// <param name="embeddingColumnName">Known-size float vector.</param>
    /// <param name="options">Pair formation; null for defaults.</param>
    /// <param name="positiveRate">The share of "same" pairs precision, F1 and accuracy are for; null: the pairs' own.</param>
    public ThresholdAssessment AssessThreshold(IDataView data, float threshold, string labelColumnName = "Label", string embeddingColumnName = "Embedding",
        SiameseEvaluationOptions? options = null, double? positiveRate = null)
    {
        options ??= new();
        var set = LabelledEmbeddings.Read(data, labelColumnName, embeddingColumnName, new LabelEncoding());
        if (set.Count < 2) throw new ArgumentException($"Assessing a threshold needs at least 2 rows; '{nameof(data)}' has {set.Count}.", nameof(data));
        var scored = PairSampler.CreateScored(set.Vectors, set.Dimension, set.Classes, options);
        return ThresholdCalibrator.Assess(scored.Scores, scored.IsPositive, threshold, positiveRate);
    }

    /// <summary>
    /// N-way K-shot episodes (see <see cref="FewShotEvaluator"/>) on the labelled embeddings of <paramref name="data"/>,
    /// typically classes the model was never trained on: accuracy by nearest support item and by nearest class
    /// prototype, each with a 95% interval.
    /// </summary>
    /// <param name="data">Rows with a label and an embedding.</param>
    /// <param name="ways">Classes per episode (N).</param>
    /// <param name="shots">Support items per class (K).</param>
    /// <param name="episodes">Episodes to average.</param>
    /// <param name="labelColumnName">Label column.</param>
    /// <param name="embeddingColumnName">Embedding column.</param>
    /// <param name="queriesPerClass">Query items per class and episode.</param>
    /// <param name="seed">Seed of the draws.</param>
    public FewShotResult EvaluateFewShot(IDataView data, int ways, int shots, int episodes = 1000, string labelColumnName = "Label",
        string embeddingColumnName = "Embedding", int queriesPerClass = 5, int seed = 0)
    {
        var encoding = new LabelEncoding();
        var set = LabelledEmbeddings.Read(data, labelColumnName, embeddingColumnName, encoding);
        return FewShotEvaluator.Evaluate(set.Vectors, set.Dimension, set.Classes, ways, shots, episodes, queriesPerClass, seed, encoding.Names);
    }

    /// <summary>
    /// Chooses a threshold from already-scored validation pairs, e.g. the output of the pair-scoring transform:
    /// a Single similarity column and a Boolean "same item" column.
    /// </summary>
    /// <param name="scoredPairs">One row per pair.</param>
    /// <param name="similarityColumnName">Single cosine similarity of the pair.</param>
    /// <param name="matchColumnName">Boolean: true when the pair is the same item/class.</param>
    /// <param name="options">Objective (the pair-formation settings are not used); null for defaults.</param>
    public ThresholdCalibration CalibrateThresholdFromPairs(IDataView scoredPairs, string similarityColumnName = "Similarity",
        string matchColumnName = "Label", CalibrationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scoredPairs);
        options ??= new();
        var simColumn = DataViewColumns.Find(scoredPairs.Schema, similarityColumnName, "Similarity", nameof(similarityColumnName));
        if (simColumn.Type != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(similarityColumnName), $"Similarity column '{similarityColumnName}' must be Single; found {simColumn.Type}.");
        var matchColumn = DataViewColumns.Find(scoredPairs.Schema, matchColumnName, "Match", nameof(matchColumnName));
        if (matchColumn.Type != BooleanDataViewType.Instance)
            throw new ArgumentOutOfRangeException(nameof(matchColumnName), $"Match column '{matchColumnName}' must be Boolean; found {matchColumn.Type}.");
        var scores = new List<float>();
        var matches = new List<bool>();
        using var cursor = scoredPairs.GetRowCursor(new[] { simColumn, matchColumn });
        var simGetter = cursor.GetGetter<float>(simColumn);
        var matchGetter = cursor.GetGetter<bool>(matchColumn);
        float s = 0; bool m = false;
        while (cursor.MoveNext())
        {
            simGetter(ref s); matchGetter(ref m);
            if (float.IsNaN(s)) throw new InvalidOperationException($"Similarity column '{similarityColumnName}' is NaN at row {scores.Count}.");
            scores.Add(s); matches.Add(m);
        }
        return ThresholdCalibrator.Calibrate(scores.ToArray(), matches.ToArray(), options.Objective, options.TargetPrecision, options.PositiveRate);
    }

    /// <summary>Builds an exact cosine index from an id column (integer or key) and an embedding column.</summary>
    /// <param name="data">Rows to index.</param>
    /// <param name="idColumnName">Unique integer (Int32, Int64, UInt32, UInt64) or key id of each row.</param>
    /// <param name="embeddingColumnName">Known-size float vector.</param>
    public CosineIndex BuildIndex(IDataView data, string idColumnName = "Id", string embeddingColumnName = "Embedding")
    {
        ArgumentNullException.ThrowIfNull(data);
        var embeddingColumn = DataViewColumns.FindEmbedding(data.Schema, embeddingColumnName, nameof(embeddingColumnName));
        var idColumn = DataViewColumns.Find(data.Schema, idColumnName, "Id", nameof(idColumnName));
        int dim = embeddingColumn.Type.GetVectorSize();
        var index = new CosineIndex(dim);
        using var cursor = data.GetRowCursor(new[] { embeddingColumn, idColumn });
        var embeddingGetter = cursor.GetGetter<VBuffer<float>>(embeddingColumn);
        var idGetter = DataViewColumns.IdGetter(cursor, idColumn);
        var buffer = default(VBuffer<float>);
        const int batch = 4096;
        var ids = new long[batch];
        var vectors = new float[batch * dim];
        var seen = new HashSet<long>();
        int n = 0;
        long row = 0;
        while (cursor.MoveNext())
        {
            long id = idGetter(row);
            if (!seen.Add(id)) throw new InvalidOperationException($"Id column '{idColumnName}' repeats id {id} at row {row}; ids must be unique.");
            embeddingGetter(ref buffer);
            var dest = vectors.AsSpan(n * dim, dim);
            DataViewColumns.ReadVector(buffer, dest, embeddingColumnName, row);
            EmbeddingMath.NormalizeInto(dest, dest, embeddingColumnName, row);
            ids[n++] = id;
            row++;
            if (n == batch) { index.AddNormalized(ids, vectors); n = 0; }
        }
        if (n > 0) index.AddNormalized(ids.AsSpan(0, n), vectors.AsSpan(0, n * dim));
        return index;
    }
}
