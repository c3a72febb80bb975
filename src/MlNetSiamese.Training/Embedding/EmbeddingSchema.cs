using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Pipeline;

namespace MlNetSiamese.Embedding;

/// <summary>Checks of the columns the embedding estimator and transformer read, with messages that name them.</summary>
internal static class EmbeddingSchema
{
    /// <summary>The input column must exist and hold a fixed-size float vector of <paramref name="expectedSize"/> values (0: any fixed size).</summary>
    public static DataViewSchema.Column CheckInput(DataViewSchema schema, string name, int expectedSize)
        => DataViewColumns.FindVector(schema, name, "Input", nameof(name), expectedSize);

    /// <summary>Schema-shape check used by <c>GetOutputSchema</c> before any data is seen.</summary>
    public static void CheckInputShape(SchemaShape schema, string name)
    {
        if (!schema.TryFindColumn(name, out var column))
            throw new ArgumentOutOfRangeException(nameof(name), name, $"Input column '{name}' was not found.");
        if (column.Kind == SchemaShape.Column.VectorKind.VariableVector)
            throw new ArgumentOutOfRangeException(nameof(name), name, $"Input column '{name}' must have a known, fixed vector size; it is variable-length.");
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(name), name, $"Input column '{name}' must be a vector of Single (float); it is {(column.Kind == SchemaShape.Column.VectorKind.Scalar ? "a scalar" : "a vector")} of {column.ItemType}.");
    }

    public static void CheckLabelShape(SchemaShape schema, string name)
    {
        if (!schema.TryFindColumn(name, out var column))
            throw new ArgumentOutOfRangeException(nameof(name), name, $"Label column '{name}' was not found.");
        bool ok = column.Kind == SchemaShape.Column.VectorKind.Scalar &&
                  (column.IsKey || column.ItemType is TextDataViewType || column.ItemType is NumberDataViewType);
        if (!ok) throw new ArgumentOutOfRangeException(nameof(name), name, $"Label column '{name}' must be a scalar key, text or number; it is {column.ItemType}{(column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : " vector")}.");
    }
}
