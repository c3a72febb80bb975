using Microsoft.ML.Data;
using MlNetSiamese;

namespace Microsoft.ML;

/// <summary>The <c>mlContext.Transforms</c> entries of MlNetSiamese.Training: the TorchSharp-trained embedding.</summary>
public static class SiameseEmbeddingCatalog
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
}
