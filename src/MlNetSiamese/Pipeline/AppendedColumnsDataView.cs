using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.Pipeline;

/// <summary>
/// The lazy result of <c>Transform</c>: nothing is computed until a cursor moves. Each cursor opens one cursor over
/// the input with just the columns it needs; appended columns are computed by the appender's getters.
/// </summary>
internal sealed class AppendedColumnsDataView : IDataView
{
    private readonly IDataView source;
    private readonly IColumnAppender appender;

    public AppendedColumnsDataView(IDataView source, IColumnAppender appender)
    {
        this.source = source;
        this.appender = appender;
        Schema = AppendedSchema.Build(source.Schema, appender.AddedColumns);
    }

    public DataViewSchema Schema { get; }

    // Appended columns may read ahead in row order, so rows are served in the input's order.
    public bool CanShuffle => false;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var wanted = columnsNeeded.Select(c => c.Index).ToHashSet();
        var input = source.GetRowCursor(AppendedSchema.InputColumnsFor(appender, wanted));
        return new Cursor(this, input, wanted);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };

    /// <summary>The input cursor moves; the appended row reads it.</summary>
    private sealed class Cursor(AppendedColumnsDataView view, DataViewRowCursor input, HashSet<int> wanted) : DataViewRowCursor
    {
        private readonly AppendedRow row = new(view.appender, view.Schema, input, view.source, wanted);

        public override DataViewSchema Schema => row.Schema;
        public override long Position => input.Position;
        public override long Batch => input.Batch;
        public override bool MoveNext() => input.MoveNext();
        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => row.IsColumnActive(column);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => row.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                row.Dispose();
                input.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
