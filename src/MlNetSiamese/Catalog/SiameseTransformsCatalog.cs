using Microsoft.ML.Data;
using MlNetSiamese;

namespace Microsoft.ML;

/// <summary>The <c>mlContext.Transforms</c> entries of MlNetSiamese that need no TorchSharp (training is in
/// MlNetSiamese.Training: <c>SiameseEmbed</c>).</summary>
public static class SiameseTransformsCatalog
{
    /// <summary>Appends the cosine similarity of two float vector columns (e.g. two embeddings of a pair).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Similarity column to add (float).</param>
    /// <param name="leftColumnName">First vector column.</param>
    /// <param name="rightColumnName">Second vector column, of the same size.</param>
    /// <param name="threshold">When set, also appends <paramref name="isMatchColumnName"/>: similarity &gt;= threshold.</param>
    /// <param name="isMatchColumnName">Boolean column added with a threshold.</param>
    public static CosineSimilarityEstimator CosineSimilarity(this TransformsCatalog catalog, string outputColumnName, string leftColumnName, string rightColumnName,
        float? threshold = null, string isMatchColumnName = "IsMatch")
        => new(outputColumnName, leftColumnName, rightColumnName, threshold, isMatchColumnName);
}
