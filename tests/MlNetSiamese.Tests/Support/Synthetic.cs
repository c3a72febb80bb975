using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.Tests.Support;

/// <summary>Small data sets with class structure that the tests make themselves.</summary>
public static class Synthetic
{
    public sealed class VectorRow
    {
        public string Label { get; set; } = "";
        [VectorType] public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>
    /// Gaussian classes in <paramref name="dims"/> dimensions whose centres are close relative to the noise, so a
    /// random projection separates them poorly and a trained one well.
    /// </summary>
    public static List<VectorRow> Clusters(int classes, int perClass, int dims, int seed, float noise = 1.0f, float spread = 1.2f)
    {
        var centres = new Random(1234);
        var centre = Enumerable.Range(0, classes).Select(_ => Enumerable.Range(0, dims).Select(_ => (float)(Gaussian(centres) * spread)).ToArray()).ToArray();
        var random = new Random(seed);
        var rows = new List<VectorRow>();
        for (int i = 0; i < perClass; i++)
            for (int c = 0; c < classes; c++)
                rows.Add(new VectorRow { Label = $"class{c}", Features = centre[c].Select(v => v + (float)(Gaussian(random) * noise)).ToArray() });
        return rows;
    }

    /// <summary>Tiny images (channels x size x size, 0..1): each class a bright bar at its own position, plus noise.</summary>
    public static List<VectorRow> Images(int classes, int perClass, int channels, int size, int seed)
    {
        var random = new Random(seed);
        var rows = new List<VectorRow>();
        for (int i = 0; i < perClass; i++)
            for (int c = 0; c < classes; c++)
            {
                var px = new float[channels * size * size];
                for (int k = 0; k < px.Length; k++) px[k] = (float)(random.NextDouble() * 0.3);
                bool vertical = c % 2 == 0;
                int at = (c / 2 * 3 + 1) % size;
                for (int ch = 0; ch < channels; ch++)
                    for (int t = 0; t < size; t++)
                    {
                        int y = vertical ? t : at, x = vertical ? at : t;
                        px[(ch * size + y) * size + x] = 1f;
                    }
                rows.Add(new VectorRow { Label = $"class{c}", Features = px });
            }
        return rows;
    }

    public static IDataView Load(MLContext ml, List<VectorRow> rows)
    {
        int dims = rows[0].Features.Length;
        var schema = SchemaDefinition.Create(typeof(VectorRow));
        schema[nameof(VectorRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dims);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    public static float[][] Embeddings(IDataView data, string column)
    {
        var result = new List<float[]>();
        var col = data.Schema[column];
        using var cursor = data.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        var buffer = default(VBuffer<float>);
        while (cursor.MoveNext()) { getter(ref buffer); result.Add(buffer.DenseValues().ToArray()); }
        return result.ToArray();
    }

    public static string[] Labels(IDataView data, string column = "Label")
    {
        var col = data.Schema[column];
        return data.GetColumn<ReadOnlyMemory<char>>(col).Select(v => v.ToString()).ToArray();
    }

    public static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    public static float Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return (float)(dot / Math.Sqrt(na * nb));
    }

    /// <summary>Precision@1 of queries against a gallery by cosine similarity (brute force).</summary>
    public static double PrecisionAt1(float[][] queries, string[] queryLabels, float[][] gallery, string[] galleryLabels)
    {
        int correct = 0;
        for (int q = 0; q < queries.Length; q++)
        {
            int best = 0; float bestSim = float.NegativeInfinity;
            for (int g = 0; g < gallery.Length; g++)
            {
                float s = Cosine(queries[q], gallery[g]);
                if (s > bestSim) { bestSim = s; best = g; }
            }
            if (galleryLabels[best] == queryLabels[q]) correct++;
        }
        return (double)correct / queries.Length;
    }
}
