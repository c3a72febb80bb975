using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Training;

namespace MlNetSiamese.Embedding;

/// <summary>Reads the features and labels of an IDataView once into a compact <see cref="TrainingSet"/>.</summary>
internal static class TrainingDataReader
{
    public static TrainingSet Read(IDataView data, string featuresName, string labelName, int expectedSize, CancellationToken cancel)
    {
        var features = EmbeddingSchema.CheckInput(data.Schema, featuresName, expectedSize);
        var label = data.Schema.GetColumnOrNull(labelName)
            ?? throw new ArgumentOutOfRangeException(nameof(labelName), labelName, $"Label column '{labelName}' was not found; the data has: {string.Join(", ", data.Schema.Select(c => c.Name))}.");
        int size = ((VectorDataViewType)features.Type).Size;

        var labelReader = LabelReader(data.Schema, label);
        long? known = data.GetRowCount();
        var pixels = known.HasValue ? new float[checked(known.Value * size)] : null;
        var growing = known.HasValue ? null : new List<float>();
        var ids = new List<int>();
        var classIds = new Dictionary<string, int>();

        using var cursor = data.GetRowCursor(new[] { features, label });
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        var getLabel = labelReader(cursor);
        var buffer = default(VBuffer<float>);
        var dense = new float[size];
        long row = 0;
        while (cursor.MoveNext())
        {
            if ((row & 1023) == 0) cancel.ThrowIfCancellationRequested();
            getFeatures(ref buffer);
            if (buffer.Length != size)
                throw new InvalidOperationException($"Column '{featuresName}' row {row}: expected {size} values, got {buffer.Length}.");
            buffer.CopyTo(dense);
            for (int i = 0; i < size; i++)
                if (!float.IsFinite(dense[i]))
                    throw new InvalidOperationException($"Column '{featuresName}' row {row}: value {i} is {dense[i]}; features must be finite numbers.");
            string? key = getLabel();
            if (key == null) throw new InvalidOperationException($"Label column '{labelName}' row {row}: the label is missing.");
            if (!classIds.TryGetValue(key, out int id)) classIds[key] = id = classIds.Count;
            ids.Add(id);
            if (pixels != null)
            {
                if (row >= known!.Value) throw new InvalidOperationException($"The data returned more rows than its count {known}.");
                dense.CopyTo(pixels, row * size);
            }
            else growing!.AddRange(dense);
            row++;
        }
        if (row == 0) throw new InvalidOperationException($"The training data is empty: column '{featuresName}' has no rows.");
        if (classIds.Count < 2) throw new InvalidOperationException($"Label column '{labelName}' has {classIds.Count} class; triplet training needs at least 2 classes.");
        var all = pixels != null ? (row == known ? pixels : pixels[..(int)(row * size)]) : growing!.ToArray();
        return new TrainingSet(all, ids.ToArray(), size);
    }

    /// <summary>A reader that turns the label of the current row into a class identity string (null: missing).</summary>
    private static Func<DataViewRow, Func<string?>> LabelReader(DataViewSchema schema, DataViewSchema.Column label) => label.Type switch
    {
        KeyDataViewType key when key.RawType == typeof(uint) => row => { var g = row.GetGetter<uint>(label); uint v = 0; return () => { g(ref v); return v == 0 ? null : v.ToString(); }; },
        TextDataViewType => row => { var g = row.GetGetter<ReadOnlyMemory<char>>(label); var v = default(ReadOnlyMemory<char>); return () => { g(ref v); return v.IsEmpty ? null : v.ToString(); }; },
        NumberDataViewType n when n.RawType == typeof(float) => row => { var g = row.GetGetter<float>(label); float v = 0; return () => { g(ref v); return float.IsNaN(v) ? null : v.ToString("R"); }; },
        NumberDataViewType n when n.RawType == typeof(double) => row => { var g = row.GetGetter<double>(label); double v = 0; return () => { g(ref v); return double.IsNaN(v) ? null : v.ToString("R"); }; },
        NumberDataViewType n when n.RawType == typeof(int) => row => { var g = row.GetGetter<int>(label); int v = 0; return () => { g(ref v); return v.ToString(); }; },
        NumberDataViewType n when n.RawType == typeof(long) => row => { var g = row.GetGetter<long>(label); long v = 0; return () => { g(ref v); return v.ToString(); }; },
        BooleanDataViewType => row => { var g = row.GetGetter<bool>(label); bool v = false; return () => { g(ref v); return v.ToString(); }; },
        _ => throw new ArgumentOutOfRangeException(nameof(label), label.Name, $"Label column '{label.Name}' must be a key, text, number or boolean; it is {label.Type}."),
    };
}
