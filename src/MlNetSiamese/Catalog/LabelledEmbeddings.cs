using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Pipeline;
using MlNetSiamese.Evaluation;

namespace MlNetSiamese.Catalog;

/// <summary>Normalised embeddings (row-major) with dense class indices, read from an <see cref="IDataView"/>.</summary>
internal sealed class LabelledEmbeddings
{
    public required float[] Vectors { get; init; }
    public required int[] Classes { get; init; }
    public required int Dimension { get; init; }
    public int Count => Classes.Length;

    /// <summary>Reads and normalises the embedding column and encodes the label column through <paramref name="encoding"/>.</summary>
    public static LabelledEmbeddings Read(IDataView data, string labelColumnName, string embeddingColumnName, LabelEncoding encoding,
        string dataName = "data")
    {
        ArgumentNullException.ThrowIfNull(data, dataName);
        var embeddingColumn = DataViewColumns.FindEmbedding(data.Schema, embeddingColumnName, nameof(embeddingColumnName));
        var labelColumn = DataViewColumns.Find(data.Schema, labelColumnName, "Label", nameof(labelColumnName));
        int dim = embeddingColumn.Type.GetVectorSize();

        var vectors = new List<float[]>();
        var classes = new List<int>();
        using var cursor = data.GetRowCursor(new[] { embeddingColumn, labelColumn });
        var embeddingGetter = cursor.GetGetter<VBuffer<float>>(embeddingColumn);
        var labelGetter = DataViewColumns.LabelTextGetter(cursor, labelColumn);
        var buffer = default(VBuffer<float>);
        var dense = new float[dim];
        long row = 0;
        while (cursor.MoveNext())
        {
            embeddingGetter(ref buffer);
            DataViewColumns.ReadVector(buffer, dense, embeddingColumnName, row);
            var normalized = new float[dim];
            EmbeddingMath.NormalizeInto(dense, normalized, embeddingColumnName, row);
            vectors.Add(normalized);
            classes.Add(encoding.GetOrAdd(labelGetter(row)));
            row++;
        }
        var flat = new float[(long)vectors.Count * dim];
        for (int i = 0; i < vectors.Count; i++) vectors[i].CopyTo(flat, (long)i * dim);
        return new LabelledEmbeddings { Vectors = flat, Classes = classes.ToArray(), Dimension = dim };
    }
}
