using Microsoft.ML;

namespace MlNetSiamese.Tests.Support;

/// <summary>An IDataView that counts the cursors opened on it (a lazy Transform opens none).</summary>
internal sealed class CountingDataView(IDataView inner) : IDataView
{
    public int CursorsOpened;
    public bool CanShuffle => inner.CanShuffle;
    public DataViewSchema Schema => inner.Schema;
    public long? GetRowCount() => inner.GetRowCount();
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) { CursorsOpened++; return inner.GetRowCursor(columnsNeeded, rand); }
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) { CursorsOpened++; return inner.GetRowCursorSet(columnsNeeded, n, rand); }
}
