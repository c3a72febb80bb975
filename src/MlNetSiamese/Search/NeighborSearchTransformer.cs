using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Pipeline;
using MlNetSiamese.Search;

namespace MlNetSiamese;

/// <summary>
/// Looks every row's embedding up in a <see cref="CosineIndex"/> and appends <c>NeighborIds</c> (Int64 x k) and
/// <c>NeighborScores</c> (cosine similarity x k, best first; id -1 and NaN pad when the index holds fewer than k
/// items). The index is saved inside the model zip. Create it with <c>ml.Siamese().SearchNeighbors(...)</c>.
/// </summary>
public sealed class NeighborSearchTransformer : ITransformer
{
    internal NeighborSearchTransformer(CosineIndex index, string embeddingColumnName, int k, string idsColumnName, string scoresColumnName)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be >= 1.");
        Index = index; EmbeddingColumnName = embeddingColumnName; K = k; IdsColumnName = idsColumnName; ScoresColumnName = scoresColumnName;
    }

    /// <summary>The gallery searched (not copied: changing it changes later results).</summary>
    public CosineIndex Index { get; }
    /// <summary>Query embedding column.</summary>
    public string EmbeddingColumnName { get; }
    /// <summary>Neighbours per row.</summary>
    public int K { get; }
    /// <summary>Column of neighbour ids.</summary>
    public string IdsColumnName { get; }
    /// <summary>Column of neighbour similarities.</summary>
    public string ScoresColumnName { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;
    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => AppendedSchema.Build(inputSchema, Bind(inputSchema).AddedColumns);
    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new AppendedColumnsRowMapper(Bind(inputSchema));
    /// <inheritdoc />
    public IDataView Transform(IDataView input) => new AppendedColumnsDataView(input, Bind(input.Schema));

    private NeighborSearchAppender Bind(DataViewSchema schema) => new(schema, Index, EmbeddingColumnName, K, IdsColumnName, ScoresColumnName);

    void ICanSaveModel.Save(ModelSaveContext ctx) => NeighborSearchModelFormat.Save(ctx, this);
}
