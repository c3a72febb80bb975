using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.Data;

/// <summary>
/// Row cursor of <see cref="InMemoryImageDataView"/>: walks the rows in order (or in a given permutation) and
/// converts pixel bytes to floats only when the <c>Features</c> getter is called, into the caller's buffer.
/// </summary>
internal sealed class InMemoryImageCursor : DataViewRowCursor
{
    private readonly InMemoryImageDataView _view;
    private readonly bool[] _active;
    private readonly int[]? _order;
    private long _position = -1;
    private int _row = -1;

    public InMemoryImageCursor(InMemoryImageDataView view, bool[] active, int[]? order)
    {
        _view = view;
        _active = active;
        _order = order;
    }

    public override DataViewSchema Schema => _view.Schema;

    public override long Position => _position;

    public override long Batch => 0;

    public override bool MoveNext()
    {
        if (_position + 1 >= _view.Count)
        {
            _position = _view.Count;
            _row = -1;
            return false;
        }
        _position++;
        _row = _order == null ? (int)_position : _order[_position];
        return true;
    }

    public override ValueGetter<DataViewRowId> GetIdGetter()
        => (ref DataViewRowId value) =>
        {
            EnsureOnRow();
            value = new DataViewRowId((ulong)_row, 0);
        };

    public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < 0 || column.Index >= _active.Length || !_active[column.Index])
            throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor.");

        Delegate getter = column.Name switch
        {
            InMemoryImageDataView.LabelColumnName => (ValueGetter<ReadOnlyMemory<char>>)GetLabel,
            InMemoryImageDataView.FeaturesColumnName => (ValueGetter<VBuffer<float>>)GetFeatures,
            _ => throw new InvalidOperationException($"Unknown column '{column.Name}'."),
        };
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}, not {typeof(TValue)}.");
    }

    private void GetLabel(ref ReadOnlyMemory<char> value)
    {
        EnsureOnRow();
        value = _view.GetLabelMemory(_row);
    }

    private void GetFeatures(ref VBuffer<float> value)
    {
        EnsureOnRow();
        var editor = VBufferEditor.Create(ref value, _view.FeatureLength);
        _view.CopyFeatures(_row, editor.Values);
        value = editor.Commit();
    }

    private void EnsureOnRow()
    {
        if (_row < 0)
            throw new InvalidOperationException("The cursor is not on a row: call MoveNext first (and only while it returns true).");
    }
}
