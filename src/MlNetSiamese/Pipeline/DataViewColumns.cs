using System.Globalization;
using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.Pipeline;

/// <summary>Column lookup and typed getters with errors that name the column and what was expected.</summary>
internal static class DataViewColumns
{
    private const string KeyValuesKind = "KeyValues";

    /// <summary>
    /// Copies one row's (possibly sparse) vector into <paramref name="destination"/> after checking that it has exactly
    /// the destination's length. Every path that reads a row's vector goes through here: a row-at-a-time path
    /// (PredictionEngine) reuses its buffers between calls, so a short vector must be refused, never filled out with
    /// what the previous call left there.
    /// </summary>
    /// <exception cref="InvalidOperationException">naming the column, the row (when the cursor has a position), the expected and the actual length.</exception>
    public static void ReadVector(in VBuffer<float> source, Span<float> destination, string columnName, long row)
    {
        if (source.Length != destination.Length)
            throw new InvalidOperationException($"{Where(columnName, row)}: expected a vector of {destination.Length} values, got {source.Length}.");
        CopyDense(source, destination);
    }

    /// <summary><see cref="ReadVector"/>, then every value must be finite: what a model's input (features, embeddings to score or search) must be.</summary>
    /// <exception cref="InvalidOperationException">as <see cref="ReadVector"/>, or naming the first value that is NaN or infinite.</exception>
    public static void ReadFiniteVector(in VBuffer<float> source, Span<float> destination, string columnName, long row)
    {
        ReadVector(source, destination, columnName, row);
        if (TensorPrimitives.IsFiniteAll<float>(destination)) return;
        int bad = 0;
        while (float.IsFinite(destination[bad])) bad++;
        throw new InvalidOperationException($"{Where(columnName, row)}: value {bad} is {destination[bad].ToString(CultureInfo.InvariantCulture)}; expected finite numbers.");
    }

    private static string Where(string columnName, long row) => row >= 0 ? $"Column '{columnName}' row {row}" : $"Column '{columnName}'";

    /// <summary>Copies a (possibly sparse) vector into a dense span of its length, using only ML.NET's public API.</summary>
    private static void CopyDense(in VBuffer<float> source, Span<float> destination)
    {
        var values = source.GetValues();
        if (source.IsDense) { values.CopyTo(destination); return; }
        destination.Clear();
        var indices = source.GetIndices();
        for (int i = 0; i < indices.Length; i++) destination[indices[i]] = values[i];
    }

    public static DataViewSchema.Column Find(DataViewSchema schema, string columnName, string role, string argumentName)
    {
        if (string.IsNullOrWhiteSpace(columnName))
            throw new ArgumentException($"The {role.ToLowerInvariant()} column name must not be empty.", argumentName);
        return schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(argumentName,
                $"{role} column '{columnName}' was not found in the data. Available columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}.");
    }

    public static DataViewSchema.Column FindEmbedding(DataViewSchema schema, string columnName, string argumentName)
        => FindVector(schema, columnName, "Embedding", argumentName);

    /// <summary>A column that must hold a known-size vector of Single; <paramref name="expectedSize"/> 0 accepts any size.</summary>
    public static DataViewSchema.Column FindVector(DataViewSchema schema, string columnName, string role, string argumentName, int expectedSize = 0)
    {
        var column = Find(schema, columnName, role, argumentName);
        if (column.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(argumentName,
                $"{role} column '{columnName}' must be a vector of Single (float); found {column.Type}.");
        if (!vector.IsKnownSize)
            throw new ArgumentOutOfRangeException(argumentName,
                $"{role} column '{columnName}' must be a vector of known (fixed) size; found a variable-length vector.");
        if (expectedSize > 0 && vector.Size != expectedSize)
            throw new ArgumentOutOfRangeException(argumentName,
                $"{role} column '{columnName}' has {vector.Size} values per row; expected {expectedSize}.");
        return column;
    }

    /// <summary>A getter returning each row's label as text; key, text, integer, floating-point and boolean labels are accepted.</summary>
    public static Func<long, string> LabelTextGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        string name = column.Name;
        switch (column.Type)
        {
            case KeyDataViewType:
            {
                var getter = cursor.GetGetter<uint>(column);
                string[]? keyNames = KeyNames(column);
                uint value = 0;
                return row =>
                {
                    getter(ref value);
                    if (value == 0) throw new InvalidOperationException($"Label column '{name}' has a missing key value at row {row}.");
                    return keyNames is not null && value <= keyNames.Length ? keyNames[value - 1] : value.ToString(CultureInfo.InvariantCulture);
                };
            }
            case TextDataViewType:
            {
                var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> value = default;
                return _ => { getter(ref value); return value.ToString(); };
            }
            case BooleanDataViewType:
                return Converted<bool>(cursor, column, v => v ? "True" : "False");
            default:
                if (column.Type == NumberDataViewType.Int32) return Converted<int>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture));
                if (column.Type == NumberDataViewType.Int64) return Converted<long>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture));
                if (column.Type == NumberDataViewType.UInt32) return Converted<uint>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture));
                if (column.Type == NumberDataViewType.Single) return Floating<float>(cursor, column, v => float.IsFinite(v), v => v.ToString("R", CultureInfo.InvariantCulture));
                if (column.Type == NumberDataViewType.Double) return Floating<double>(cursor, column, v => double.IsFinite(v), v => v.ToString("R", CultureInfo.InvariantCulture));
                throw new ArgumentOutOfRangeException("labelColumnName",
                    $"Label column '{name}' must be a key, text, integer, float, double or boolean scalar; found {column.Type}.");
        }
    }

    /// <summary>A getter returning each row's id as <see cref="long"/>; integer and key columns are accepted.</summary>
    public static Func<long, long> IdGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        string name = column.Name;
        if (column.Type is KeyDataViewType)
        {
            var g = cursor.GetGetter<uint>(column);
            uint v = 0;
            return row =>
            {
                g(ref v);
                if (v == 0) throw new InvalidOperationException($"Id column '{name}' has a missing key value at row {row}.");
                return v;
            };
        }
        if (column.Type == NumberDataViewType.Int32) { var g = cursor.GetGetter<int>(column); int v = 0; return _ => { g(ref v); return v; }; }
        if (column.Type == NumberDataViewType.Int64) { var g = cursor.GetGetter<long>(column); long v = 0; return _ => { g(ref v); return v; }; }
        if (column.Type == NumberDataViewType.UInt32) { var g = cursor.GetGetter<uint>(column); uint v = 0; return _ => { g(ref v); return v; }; }
        if (column.Type == NumberDataViewType.UInt64)
        {
            var g = cursor.GetGetter<ulong>(column);
            ulong v = 0;
            return row =>
            {
                g(ref v);
                if (v > long.MaxValue) throw new InvalidOperationException($"Id column '{name}' value {v} at row {row} does not fit in Int64.");
                return (long)v;
            };
        }
        throw new ArgumentOutOfRangeException("idColumnName", $"Id column '{name}' must be an integer (Int32, Int64, UInt32, UInt64) or key column; found {column.Type}.");
    }

    private static Func<long, string> Converted<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, string> text)
    {
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        return _ => { getter(ref value); return text(value); };
    }

    private static Func<long, string> Floating<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, bool> valid, Func<T, string> text)
    {
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        string name = column.Name;
        return row =>
        {
            getter(ref value);
            if (!valid(value)) throw new InvalidOperationException($"Label column '{name}' has a missing (NaN) or infinite value at row {row}.");
            return text(value);
        };
    }

    private static string[]? KeyNames(DataViewSchema.Column column)
    {
        var keyValues = column.Annotations.Schema.GetColumnOrNull(KeyValuesKind);
        if (keyValues is null || keyValues.Value.Type is not VectorDataViewType { ItemType: TextDataViewType }) return null;
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        column.Annotations.GetValue(KeyValuesKind, ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }
}
