using Microsoft.ML;
using Microsoft.ML.Data;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace MlNetSiamese.Plots;

/// <summary>2-D PCA projection of embeddings, coloured by class (PCA by ML.NET's principal-component transform).</summary>
public static class EmbeddingProjectionPlot
{
    /// <summary>Projects row-major <paramref name="embeddings"/> to 2-D with ML.NET's PCA (rank 2, seeded).</summary>
    /// <returns>Row-major (x, y) per item.</returns>
    public static float[] ProjectPca(ReadOnlySpan<float> embeddings, int dimension, int seed = 0)
    {
        if (dimension < 2) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "A 2-D projection needs embeddings of dimension at least 2.");
        if (embeddings.Length % dimension != 0 || embeddings.Length / dimension < 3)
            throw new ArgumentException($"'embeddings' must hold at least 3 rows of {dimension} values; it has {embeddings.Length} values.", nameof(embeddings));
        var ml = new MLContext(seed);
        int rows = embeddings.Length / dimension;
        var list = new List<VectorRow>(rows);
        for (int i = 0; i < rows; i++) list.Add(new VectorRow { Embedding = embeddings.Slice(i * dimension, dimension).ToArray() });
        var schema = SchemaDefinition.Create(typeof(VectorRow));
        schema[nameof(VectorRow.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        var data = ml.Data.LoadFromEnumerable(list, schema);
        var projected = ml.Transforms.ProjectToPrincipalComponents("Xy", nameof(VectorRow.Embedding), rank: 2, seed: seed).Fit(data).Transform(data);
        var xy = projected.GetColumn<float[]>("Xy").ToArray();
        var result = new float[rows * 2];
        for (int i = 0; i < rows; i++) { result[2 * i] = xy[i][0]; result[2 * i + 1] = xy[i][1]; }
        return result;
    }

    /// <summary>Writes a scatter plot of the 2-D PCA projection of <paramref name="embeddings"/>, one colour per label.</summary>
    /// <param name="embeddings">Row-major embeddings.</param>
    /// <param name="dimension">Embedding size.</param>
    /// <param name="labels">Class of each row (shown in the legend).</param>
    /// <param name="path">PNG file to write.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="seed">Seed of the PCA.</param>
    public static void Save(ReadOnlySpan<float> embeddings, int dimension, IReadOnlyList<string> labels, string path,
        int width = 800, int height = 700, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count * dimension != embeddings.Length)
            throw new ArgumentException($"'labels' has {labels.Count} entries but 'embeddings' has {embeddings.Length / Math.Max(1, dimension)} rows.", nameof(labels));
        var xy = ProjectPca(embeddings, dimension, seed);
        var model = new PlotModel { Title = "Embeddings, 2-D PCA projection" };
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "PC 1" });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "PC 2" });
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.RightTop, LegendPlacement = LegendPlacement.Outside });
        var classes = labels.Distinct().Order(StringComparer.Ordinal).ToList();
        for (int c = 0; c < classes.Count; c++)
        {
            var series = new ScatterSeries { Title = classes[c], MarkerType = MarkerType.Circle, MarkerSize = 3, MarkerFill = PlotFiles.ClassColor(c) };
            for (int i = 0; i < labels.Count; i++)
                if (labels[i] == classes[c]) series.Points.Add(new ScatterPoint(xy[2 * i], xy[2 * i + 1]));
            model.Series.Add(series);
        }
        PlotFiles.SavePng(model, path, width, height);
    }

    private sealed class VectorRow
    {
        public float[] Embedding { get; set; } = [];
    }
}
