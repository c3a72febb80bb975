using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.Pipeline;

/// <summary>
/// What a transformer of this library computes: columns appended to its input. The embedding and similarity
/// transformers implement it; <see cref="AppendedColumnsDataView"/> and <see cref="AppendedColumnsRowMapper"/>
/// turn it into ML.NET's lazy IDataView and the row mapper that PredictionEngine uses.
/// </summary>
internal interface IColumnAppender
{
    /// <summary>The input schema the appender was bound to.</summary>
    DataViewSchema InputSchema { get; }

    /// <summary>Names, types and annotations of the appended columns, in order.</summary>
    IReadOnlyList<DataViewSchema.DetachedColumn> AddedColumns { get; }

    /// <summary>Input columns needed to compute appended column <paramref name="added"/>.</summary>
    IEnumerable<DataViewSchema.Column> Dependencies(int added);

    /// <summary>
    /// A getter of appended column <paramref name="added"/> reading <paramref name="input"/>'s current row.
    /// <paramref name="source"/> is the whole input data when the caller moves a cursor over it (so the appender
    /// may read ahead and work in batches), or null for single rows (PredictionEngine).
    /// Getters that hold resources return them through <paramref name="disposables"/>.
    /// </summary>
    Delegate CreateGetter(int added, DataViewRow input, IDataView? source, List<IDisposable> disposables);
}

/// <summary>Builds the output schema of an appender: the input's columns, then the appended ones.</summary>
internal static class AppendedSchema
{
    public static DataViewSchema Build(DataViewSchema input, IReadOnlyList<DataViewSchema.DetachedColumn> added)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var c in added) builder.AddColumn(c.Name, c.Type, c.Annotations);
        return builder.ToSchema();
    }

    /// <summary>Getters of the appended columns the caller wants (null for the others).</summary>
    public static Delegate?[] CreateGetters(IColumnAppender appender, DataViewRow input, IDataView? source, HashSet<int> wanted, List<IDisposable> disposables)
    {
        int inputCount = input.Schema.Count;
        var getters = new Delegate?[appender.AddedColumns.Count];
        for (int a = 0; a < getters.Length; a++)
            if (wanted.Contains(inputCount + a))
                getters[a] = appender.CreateGetter(a, input, source, disposables);
        return getters;
    }

    /// <summary>Whether an output column is active: as in the input, or requested among the appended ones.</summary>
    public static bool IsActive(DataViewRow input, Delegate?[] added, DataViewSchema.Column column)
    {
        int inputCount = input.Schema.Count;
        return column.Index < inputCount ? input.IsColumnActive(input.Schema[column.Index]) : added[column.Index - inputCount] != null;
    }

    /// <summary>Getter of an output column: passed through from the input, or appended.</summary>
    public static ValueGetter<T> Getter<T>(DataViewRow input, Delegate?[] added, DataViewSchema.Column column)
    {
        int inputCount = input.Schema.Count;
        if (column.Index < inputCount) return input.GetGetter<T>(input.Schema[column.Index]);
        var getter = added[column.Index - inputCount] ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
        return getter as ValueGetter<T> ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}, not {typeof(T).Name}.");
    }
}
