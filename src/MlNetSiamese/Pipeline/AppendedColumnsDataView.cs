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
        int inputCount = source.Schema.Count;
        var wanted = columnsNeeded.Select(c => c.Index).ToHashSet();
        var inputColumns = wanted.Where(i => i < inputCount).Select(i => source.Schema[i]).ToList();
        for (int a = 0; a < appender.AddedColumns.Count; a++)
            if (wanted.Contains(inputCount + a)) inputColumns.AddRange(appender.Dependencies(a));
        var input = source.GetRowCursor(inputColumns.DistinctBy(c => c.Index));
        return new Cursor(this, input, wanted);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor input;
        private readonly Delegate?[] getters;
        private readonly List<IDisposable> disposables = new();
        private readonly DataViewSchema schema;

        public Cursor(AppendedColumnsDataView view, DataViewRowCursor input, HashSet<int> wanted)
        {
            this.input = input;
            schema = view.Schema;
            getters = AppendedSchema.CreateGetters(view.appender, input, view.source, wanted, disposables);
        }

        public override DataViewSchema Schema => schema;
        public override long Position => input.Position;
        public override long Batch => input.Batch;
        public override bool MoveNext() => input.MoveNext();
        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => AppendedSchema.IsActive(input, getters, column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => AppendedSchema.Getter<TValue>(input, getters, column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                foreach (var d in disposables) d.Dispose();
                input.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
