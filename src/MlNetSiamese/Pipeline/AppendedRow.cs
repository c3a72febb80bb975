using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.Pipeline;

/// <summary>
/// One row of an appender's output: the input row's columns passed through, then the appended columns. Used as
/// is by the row mapper and inside every cursor of <see cref="AppendedColumnsDataView"/>.
/// </summary>
internal sealed class AppendedRow : DataViewRow
{
    private readonly DataViewRow input;
    private readonly Delegate?[] getters;
    private readonly List<IDisposable> disposables = new();

    public AppendedRow(IColumnAppender appender, DataViewSchema outputSchema, DataViewRow input, IDataView? source, IEnumerable<int> wantedOutputColumns)
    {
        this.input = input;
        Schema = outputSchema;
        int inputCount = input.Schema.Count;
        var active = new bool[appender.AddedColumns.Count];
        foreach (int index in wantedOutputColumns)
            if (index >= inputCount) active[index - inputCount] = true;
        // Appenders read their inputs' getters when they make theirs: only ask when an appended column is wanted.
        getters = active.Contains(true) ? appender.CreateGetters(input, source, active, disposables) : new Delegate?[active.Length];
    }

    public override DataViewSchema Schema { get; }
    public override long Position => input.Position;
    public override long Batch => input.Batch;
    public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        int inputCount = input.Schema.Count;
        return column.Index < inputCount ? input.IsColumnActive(input.Schema[column.Index]) : getters[column.Index - inputCount] != null;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        int inputCount = input.Schema.Count;
        if (column.Index < inputCount) return input.GetGetter<TValue>(input.Schema[column.Index]);
        var getter = getters[column.Index - inputCount] ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}, not {typeof(TValue).Name}.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var d in disposables) d.Dispose();
        base.Dispose(disposing);
    }
}
