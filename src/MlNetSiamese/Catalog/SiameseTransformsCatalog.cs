using Microsoft.ML.Data;
using MlNetSiamese;

namespace Microsoft.ML;

/// <summary>The <c>mlContext.Transforms</c> entries of MlNetSiamese.</summary>
public static class SiameseTransformsCatalog
{
    /// <summary>Trains a Siamese encoder with triplet loss and appends its L2-normalised embedding column.</summary>
    public static SiameseEmbeddingEstimator SiameseEmbed(this TransformsCatalog catalog, SiameseEmbeddingOptions options)
        => new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>Short form with the default options: a plain feature vector (MLP encoder), cosine triplet loss, margin 0.4.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Embedding column to add.</param>
    /// <param name="inputColumnName">Fixed-size float vector column.</param>
    /// <param name="labelColumnName">Class label used for training.</param>
    /// <param name="embeddingDimension">Length of the embedding.</param>
    /// <param name="epochs">Passes over the training data.</param>
    public static SiameseEmbeddingEstimator SiameseEmbed(this TransformsCatalog catalog, string outputColumnName = "Embedding",
        string inputColumnName = "Features", string labelColumnName = "Label", int embeddingDimension = 64, int epochs = 10)
        => catalog.SiameseEmbed(new SiameseEmbeddingOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, LabelColumnName = labelColumnName,
            Encoder = { EmbeddingDimension = embeddingDimension }, Training = { Epochs = epochs },
        });

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
