using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MlNetSiamese.Tests.Support;

/// <summary>
/// ML.NET's estimator contract, in the spirit of its TestEstimatorCore, for every estimator and transformer of the
/// library: the output schema is known before fit and is the fitted transformer's; Transform is lazy; the row path
/// (PredictionEngine's row mapper) gives the batched Transform's values; save and load give the same values exactly;
/// a missing input column and one of the wrong type are refused naming the column.
/// </summary>
internal static class EstimatorContract
{
    /// <summary>The whole contract for an estimator; <paramref name="withInput"/> makes the same estimator reading another input column.</summary>
    public static ITransformer Check(MLContext ml, IEstimator<ITransformer> estimator, IDataView data, string[] outputs, Func<string, IEstimator<ITransformer>> withInput, string wrongTypeColumn)
    {
        var shape = estimator.GetOutputSchema(MlNetSiamese.Pipeline.SchemaShapes.From(data.Schema));
        var model = estimator.Fit(data);
        var schema = model.GetOutputSchema(data.Schema);
        foreach (var name in outputs)
        {
            var column = shape.Single(c => c.Name == name);
            var type = schema[name].Type;
            Assert.Equal(type is VectorDataViewType ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.Scalar, column.Kind);
            Assert.Equal(type is VectorDataViewType v ? v.ItemType : type, column.ItemType);
        }
        foreach (var (bad, what) in new[] { ("NoSuchColumn", "missing"), (wrongTypeColumn, "wrong type") })
        {
            var e = Assert.ThrowsAny<Exception>(() => withInput(bad).GetOutputSchema(MlNetSiamese.Pipeline.SchemaShapes.From(data.Schema)));
            Assert.True(e.Message.Contains($"'{bad}'"), $"a {what} input column should be named: {e.Message}");
        }
        CheckTransformer(ml, model, data, outputs, badSchema: null);
        return model;
    }

    /// <summary>The contract for a transformer without a fit; <paramref name="badSchema"/> holds a column the transformer must refuse, named.</summary>
    public static void CheckTransformer(MLContext ml, ITransformer transformer, IDataView data, string[] outputs, (IDataView Data, string Column)? badSchema)
    {
        var counting = new CountingDataView(data);
        var output = transformer.Transform(counting);
        Assert.Equal(0, counting.CursorsOpened);   // lazy
        var schema = transformer.GetOutputSchema(data.Schema);
        foreach (var name in outputs) Assert.Equal(schema[name].Type, output.Schema[name].Type);
        foreach (var c in data.Schema.Where(c => !c.IsHidden)) Assert.Equal(c.Type, output.Schema[c.Name].Type);   // passed through
        var batched = Values(output, outputs);

        AssertSame(batched, RowByRow(transformer, data, outputs), tolerance: 1e-5);   // batches round differently from single rows

        string path = Path.Combine(Models.TempDir(), "contract.zip");
        ml.Model.Save(transformer, data.Schema, path);
        var loaded = ml.Model.Load(path, out var loadedSchema);
        Assert.Equal(data.Schema.Count, loadedSchema.Count);
        AssertSame(batched, Values(loaded.Transform(data), outputs), tolerance: 0);   // exactly

        if (badSchema is { } bad)
        {
            var e = Assert.ThrowsAny<Exception>(() => transformer.GetOutputSchema(bad.Data.Schema));
            Assert.True(e.Message.Contains($"'{bad.Column}'"), $"the bad column should be named: {e.Message}");
        }
    }

    private static void AssertSame(List<object[]> expected, List<object[]> actual, double tolerance)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int r = 0; r < expected.Count; r++)
            for (int c = 0; c < expected[r].Length; c++)
            {
                if (expected[r][c] is float[] e && actual[r][c] is float[] a)
                {
                    Assert.Equal(e.Length, a.Length);
                    double diff = e.Zip(a, (x, y) => Math.Abs((double)x - y)).DefaultIfEmpty(0).Max();
                    Assert.True(diff <= tolerance, $"row {r}, output {c}: values differ by {diff} (allowed {tolerance})");
                }
                else if (expected[r][c] is float x && actual[r][c] is float y) Assert.True(Math.Abs(x - y) <= tolerance, $"row {r}, output {c}: {x} vs {y}");
                else Assert.Equal(expected[r][c], actual[r][c]);
            }
    }

    /// <summary>The output columns through the row mapper PredictionEngine uses, one input row at a time.</summary>
    private static List<object[]> RowByRow(ITransformer transformer, IDataView data, string[] outputs)
    {
        var mapper = transformer.GetRowToRowMapper(data.Schema);
        var active = outputs.Select(o => mapper.OutputSchema[o]).ToArray();
        var result = new List<object[]>();
        using var cursor = data.GetRowCursor(mapper.GetDependencies(active));
        using var row = mapper.GetRow(cursor, active);
        while (cursor.MoveNext()) result.Add(active.Select(c => Value(row, c)).ToArray());
        return result;
    }

    private static List<object[]> Values(IDataView view, string[] outputs)
    {
        var columns = outputs.Select(o => view.Schema[o]).ToArray();
        var result = new List<object[]>();
        using var cursor = view.GetRowCursor(columns);
        while (cursor.MoveNext()) result.Add(columns.Select(c => Value(cursor, c)).ToArray());
        return result;
    }

    private static object Value(DataViewRow row, DataViewSchema.Column column)
    {
        object Get<T>() { T value = default!; row.GetGetter<T>(column)(ref value); return value!; }
        return column.Type switch
        {
            VectorDataViewType { ItemType: var t } when t == NumberDataViewType.Single => ((VBuffer<float>)Get<VBuffer<float>>()).DenseValues().ToArray(),
            VectorDataViewType { ItemType: var t } when t == NumberDataViewType.Int64 => ((VBuffer<long>)Get<VBuffer<long>>()).DenseValues().ToArray(),
            var t when t == NumberDataViewType.Single => Get<float>(),
            BooleanDataViewType => Get<bool>(),
            var t => throw new NotSupportedException($"column '{column.Name}' of type {t}"),
        };
    }
}
