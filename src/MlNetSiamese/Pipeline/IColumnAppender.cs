using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.Pipeline;

/// <summary>
/// What a transformer of this library computes: columns appended to its input. The embedding, similarity and
/// neighbour-search transformers implement it; <see cref="AppendedColumnsDataView"/> and
/// <see cref="AppendedColumnsRowMapper"/> turn it into ML.NET's lazy IDataView and the row mapper that
/// PredictionEngine uses.
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
    /// Getters of the appended columns flagged in <paramref name="active"/> (null for the others), reading
    /// <paramref name="input"/>'s current row. They are made together so that columns computed from the same
    /// work (similarity and match, neighbour ids and scores) can share it.
    /// <paramref name="source"/> is the whole input data when the caller moves a cursor over it (so the appender
    /// may read ahead and work in batches, and cache per position), or null for single rows (PredictionEngine),
    /// whose values can change without the position changing.
    /// Getters that hold resources return them through <paramref name="disposables"/>.
    /// </summary>
    Delegate?[] CreateGetters(DataViewRow input, IDataView? source, bool[] active, List<IDisposable> disposables);
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

    /// <summary>The input columns that the wanted output columns (by index) read: passed-through ones and dependencies.</summary>
    public static List<DataViewSchema.Column> InputColumnsFor(IColumnAppender appender, IEnumerable<int> wantedOutputColumns)
    {
        var input = appender.InputSchema;
        var result = new List<DataViewSchema.Column>();
        foreach (int index in wantedOutputColumns)
            if (index < input.Count) result.Add(input[index]);
            else result.AddRange(appender.Dependencies(index - input.Count));
        return result.DistinctBy(c => c.Index).ToList();
    }
}
