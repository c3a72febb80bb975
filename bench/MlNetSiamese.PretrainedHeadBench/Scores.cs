using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.PretrainedHeadBench;

/// <summary>The open-set numbers of one embedding of the held-out images, by the library's evaluators (as the CLI's evaluate).</summary>
internal sealed record Scores(SiameseMetrics Metrics, FewShotResult OneShot, FewShotResult FiveShot)
{
    public static Scores Of(MLContext ml, IReadOnlyList<string> labels, IReadOnlyList<float[]> vectors, int ways)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, vectors[0].Length);
        var view = ml.Data.LoadFromEnumerable(labels.Select((l, i) => new Row { Label = l, Embedding = vectors[i] }).ToList(), schema);
        return new Scores(ml.Siamese().Evaluate(view, "Label", "Embedding", new SiameseEvaluationOptions { Seed = 0 }),
            ml.Siamese().EvaluateFewShot(view, ways, 1, 1000, seed: 0), ml.Siamese().EvaluateFewShot(view, ways, 5, 1000, seed: 0));
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";
        public float[] Embedding { get; set; } = [];
    }
}
