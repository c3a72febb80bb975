using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Pipeline;
using MlNetSiamese.Training;

namespace MlNetSiamese.Embedding;

/// <summary>Reads the features and labels of an IDataView once into a compact <see cref="TrainingSet"/>.</summary>
internal static class TrainingDataReader
{
    public static TrainingSet Read(IDataView data, string featuresName, string labelName, int expectedSize, CancellationToken cancel)
    {
        var features = EmbeddingSchema.CheckInput(data.Schema, featuresName, expectedSize);
        var label = DataViewColumns.Find(data.Schema, labelName, "Label", nameof(labelName));
        int size = ((VectorDataViewType)features.Type).Size;

        long? known = data.GetRowCount();
        var pixels = known.HasValue ? new float[checked(known.Value * size)] : null;
        var growing = known.HasValue ? null : new List<float>();
        var ids = new List<int>();
        var classIds = new Dictionary<string, int>();

        using var cursor = data.GetRowCursor(new[] { features, label });
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        var getLabel = DataViewColumns.LabelTextGetter(cursor, label);
        var buffer = default(VBuffer<float>);
        var dense = pixels == null ? new float[size] : Array.Empty<float>();
        long row = 0;
        while (cursor.MoveNext())
        {
            if ((row & 1023) == 0) cancel.ThrowIfCancellationRequested();
            getFeatures(ref buffer);
            if (pixels != null && row >= known!.Value) throw new InvalidOperationException($"The data returned more rows than its count {known}.");
            // Straight into the training array when the row count is known, else through a row buffer.
            var target = pixels != null ? pixels.AsSpan((int)(row * size), size) : dense.AsSpan();
            DataViewColumns.ReadFiniteVector(buffer, target, featuresName, row);
            growing?.AddRange(dense);
            string key = getLabel(row);
            if (!classIds.TryGetValue(key, out int id)) classIds[key] = id = classIds.Count;
            ids.Add(id);
            row++;
        }
        if (row == 0) throw new InvalidOperationException($"The training data is empty: column '{featuresName}' has no rows.");
        if (classIds.Count < 2) throw new InvalidOperationException($"Label column '{labelName}' has {classIds.Count} class; triplet training needs at least 2 classes.");
        var all = pixels != null ? (row == known ? pixels : pixels[..(int)(row * size)]) : growing!.ToArray();
        return new TrainingSet(all, ids.ToArray(), size);
    }
}
