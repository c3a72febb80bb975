using MlNetSiamese;

namespace Microsoft.ML;

public sealed partial class SiameseCatalog
{
    /// <summary>
    /// A transformer that appends the ids and cosine similarities of each row's <paramref name="k"/> nearest items in
    /// <paramref name="index"/> (see <see cref="BuildIndex"/>). Saved with the pipeline, index included.
    /// </summary>
    /// <param name="index">The gallery to search.</param>
    /// <param name="embeddingColumnName">Query embedding column (the index's dimension).</param>
    /// <param name="k">Neighbours per row, at least 1.</param>
    /// <param name="idsColumnName">Column of neighbour ids (Int64 vector of size k).</param>
    /// <param name="scoresColumnName">Column of similarities (Single vector of size k, best first).</param>
    public NeighborSearchTransformer SearchNeighbors(CosineIndex index, string embeddingColumnName = "Embedding", int k = 10,
        string idsColumnName = "NeighborIds", string scoresColumnName = "NeighborScores")
    {
        ArgumentNullException.ThrowIfNull(index);
        return new NeighborSearchTransformer(index, embeddingColumnName, k, idsColumnName, scoresColumnName);
    }
}
