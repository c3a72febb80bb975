using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Pipeline;

namespace MlNetSiamese.Search;

/// <summary>Appends the ids and cosine similarities of the k nearest index items of each row's embedding.</summary>
internal sealed class NeighborSearchAppender : IColumnAppender
{
    private readonly CosineIndex index;
    private readonly DataViewSchema.Column embedding;
    private readonly int k;

    public NeighborSearchAppender(DataViewSchema schema, CosineIndex index, string embeddingColumnName, int k, string idsColumnName, string scoresColumnName)
    {
        InputSchema = schema;
        this.index = index;
        this.k = k;
        embedding = schema.GetColumnOrNull(embeddingColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(embeddingColumnName), embeddingColumnName, $"Embedding column '{embeddingColumnName}' was not found; the data has: {string.Join(", ", schema.Select(c => c.Name))}.");
        if (embedding.Type is not VectorDataViewType { ItemType: NumberDataViewType n, Size: var size } || n != NumberDataViewType.Single || size != index.Dimension)
            throw new ArgumentOutOfRangeException(nameof(embeddingColumnName), embeddingColumnName, $"Embedding column '{embeddingColumnName}' must be a vector of {index.Dimension} Single values (the index's dimension); it is {embedding.Type}.");
        AddedColumns = new[]
        {
            new DataViewSchema.DetachedColumn(idsColumnName, new VectorDataViewType(NumberDataViewType.Int64, k)),
            new DataViewSchema.DetachedColumn(scoresColumnName, new VectorDataViewType(NumberDataViewType.Single, k)),
        };
    }

    public DataViewSchema InputSchema { get; }
    public IReadOnlyList<DataViewSchema.DetachedColumn> AddedColumns { get; }

    public IEnumerable<DataViewSchema.Column> Dependencies(int added) => new[] { embedding };

    // Both appended columns of one row share one search.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DataViewRow, Func<Neighbor[]>> searches = new();

    public Delegate CreateGetter(int added, DataViewRow input, IDataView? source, List<IDisposable> disposables)
    {
        var Current = searches.GetValue(input, row =>
        {
            var read = row.GetGetter<VBuffer<float>>(embedding);
            var query = new float[index.Dimension];
            var raw = default(VBuffer<float>);
            long cachedAt = -1;
            Neighbor[] found = Array.Empty<Neighbor>();
            return () =>
            {
                // A single row (PredictionEngine) may change without its position changing: search every time.
                if (source == null || cachedAt != row.Position)
                {
                    read(ref raw);
                    raw.CopyTo(query);
                    found = index.Search(query, k);
                    cachedAt = row.Position;
                }
                return found;
            };
        });
        // Rows beyond the index size are padded: id -1, score NaN.
        if (added == 0)
            return (ValueGetter<VBuffer<long>>)((ref VBuffer<long> value) =>
            {
                var n = Current();
                var editor = VBufferEditor.Create(ref value, k);
                for (int i = 0; i < k; i++) editor.Values[i] = i < n.Length ? n[i].Id : -1;
                value = editor.Commit();
            });
        return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
        {
            var n = Current();
            var editor = VBufferEditor.Create(ref value, k);
            for (int i = 0; i < k; i++) editor.Values[i] = i < n.Length ? n[i].Score : float.NaN;
            value = editor.Commit();
        });
    }
}
