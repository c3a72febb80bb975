using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Encoders;
using MlNetSiamese.Pipeline;

namespace MlNetSiamese.Embedding;

/// <summary>
/// Appends one embedding column per (input, output) pair, all with the same encoder. Over a cursor the encoder runs
/// on batches of rows read ahead from the input; for single rows it runs on that row.
/// </summary>
internal sealed class EmbeddingAppender : IColumnAppender
{
    private readonly Encoder encoder;
    private readonly int[] inputIndices;
    private readonly int batchSize;

    public EmbeddingAppender(Encoder encoder, IReadOnlyList<InputOutputColumnPair> columns, DataViewSchema inputSchema, int batchSize)
    {
        this.encoder = encoder;
        this.batchSize = batchSize;
        InputSchema = inputSchema;
        inputIndices = columns.Select(c => EmbeddingSchema.CheckInput(inputSchema, c.InputColumnName, encoder.Config.InputSize).Index).ToArray();
        var type = new VectorDataViewType(NumberDataViewType.Single, encoder.Config.EmbeddingDimension);
        AddedColumns = columns.Select(c => new DataViewSchema.DetachedColumn(c.OutputColumnName, type)).ToArray();
    }

    public DataViewSchema InputSchema { get; }
    public IReadOnlyList<DataViewSchema.DetachedColumn> AddedColumns { get; }

    public IEnumerable<DataViewSchema.Column> Dependencies(int added) => new[] { InputSchema[inputIndices[added]] };

    public Delegate?[] CreateGetters(DataViewRow input, IDataView? source, bool[] active, List<IDisposable> disposables)
    {
        var getters = new Delegate?[active.Length];
        for (int a = 0; a < active.Length; a++)
            if (active[a]) getters[a] = CreateGetter(a, input, source, disposables);
        return getters;
    }

    private Delegate CreateGetter(int added, DataViewRow input, IDataView? source, List<IDisposable> disposables)
    {
        var column = InputSchema[inputIndices[added]];
        int size = encoder.Config.InputSize, dim = encoder.Config.EmbeddingDimension;
        if (source == null)
        {
            var read = input.GetGetter<VBuffer<float>>(column);
            var inputs = new float[size];
            var raw = default(VBuffer<float>);
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                read(ref raw);
                DataViewColumns.ReadFiniteVector(raw, inputs, column.Name, input.Position);
                var editor = VBufferEditor.Create(ref value, dim);
                encoder.Embed(inputs, 1, editor.Values);
                value = editor.Commit();
            });
        }

        var batches = new LookAheadBatches(encoder, source, column, batchSize);
        disposables.Add(batches);
        return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
        {
            var editor = VBufferEditor.Create(ref value, dim);
            batches.EmbeddingAt(input.Position).CopyTo(editor.Values);
            value = editor.Commit();
        });
    }

    /// <summary>
    /// A second cursor over the input, with only the embedded column active, that runs ahead of the caller's cursor
    /// by up to one batch. Both see the rows in the same order, so row p of one is row p of the other.
    /// </summary>
    private sealed class LookAheadBatches : IDisposable
    {
        private readonly Encoder encoder;
        private readonly DataViewRowCursor cursor;
        private readonly ValueGetter<VBuffer<float>> read;
        private readonly string columnName;
        private readonly float[] inputs, outputs;
        private readonly int size, dim;
        private VBuffer<float> raw;
        private long first = 0;
        private int count = 0;

        public LookAheadBatches(Encoder encoder, IDataView source, DataViewSchema.Column column, int batchSize)
        {
            this.encoder = encoder;
            columnName = column.Name;
            size = encoder.Config.InputSize;
            dim = encoder.Config.EmbeddingDimension;
            inputs = new float[batchSize * size];
            outputs = new float[batchSize * dim];
            cursor = source.GetRowCursor(new[] { column });
            read = cursor.GetGetter<VBuffer<float>>(column);
        }

        public ReadOnlySpan<float> EmbeddingAt(long position)
        {
            while (position >= first + count)
            {
                first += count;
                count = 0;
                int capacity = inputs.Length / size;
                while (count < capacity && cursor.MoveNext())
                {
                    read(ref raw);
                    DataViewColumns.ReadFiniteVector(raw, inputs.AsSpan(count * size, size), columnName, cursor.Position);
                    count++;
                }
                if (count == 0) throw new InvalidOperationException($"Column '{columnName}': the input ended before row {position}.");
                encoder.Embed(inputs.AsSpan(0, count * size), count, outputs.AsSpan(0, count * dim));
            }
            if (position < first) throw new InvalidOperationException($"Column '{columnName}': row {position} was requested after row {first}; cursors move forward only.");
            return outputs.AsSpan((int)(position - first) * dim, dim);
        }

        public void Dispose() => cursor.Dispose();
    }
}
