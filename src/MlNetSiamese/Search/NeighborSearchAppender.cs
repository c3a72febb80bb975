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
        embedding = DataViewColumns.FindVector(schema, embeddingColumnName, "Embedding", nameof(embeddingColumnName), index.Dimension);
        AddedColumns = new[]
        {
            new DataViewSchema.DetachedColumn(idsColumnName, new VectorDataViewType(NumberDataViewType.Int64, k)),
            new DataViewSchema.DetachedColumn(scoresColumnName, new VectorDataViewType(NumberDataViewType.Single, k)),
        };
    }

    public DataViewSchema InputSchema { get; }
    public IReadOnlyList<DataViewSchema.DetachedColumn> AddedColumns { get; }

    public IEnumerable<DataViewSchema.Column> Dependencies(int added) => new[] { embedding };

    public Delegate?[] CreateGetters(DataViewRow input, IDataView? source, bool[] active, List<IDisposable> disposables)
    {
        var read = input.GetGetter<VBuffer<float>>(embedding);
        var query = new float[index.Dimension];
        var raw = default(VBuffer<float>);
        long cachedAt = -1;
        Neighbor[] found = Array.Empty<Neighbor>();
        // Ids and scores of one cursor row share one search.
        Neighbor[] Current()
        {
            if (source != null && cachedAt == input.Position) return found;
            read(ref raw);
            DataViewColumns.ReadFiniteVector(raw, query, embedding.Name, input.Position);
            found = index.Search(query, k);
            cachedAt = input.Position;
            return found;
        }
        // Rows beyond the index size are padded: id -1, score NaN.
        var getters = new Delegate?[2];
        if (active[0])
            getters[0] = (ValueGetter<VBuffer<long>>)((ref VBuffer<long> value) =>
            {
                var n = Current();
                var editor = VBufferEditor.Create(ref value, k);
                for (int i = 0; i < k; i++) editor.Values[i] = i < n.Length ? n[i].Id : -1;
                value = editor.Commit();
            });
        if (active[1])
            getters[1] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                var n = Current();
                var editor = VBufferEditor.Create(ref value, k);
                for (int i = 0; i < k; i++) editor.Values[i] = i < n.Length ? n[i].Score : float.NaN;
                value = editor.Commit();
            });
        return getters;
    }
}
