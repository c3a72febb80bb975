using Microsoft.ML.Transforms.Image;
using MlNetSiamese;

namespace Microsoft.ML;

/// <summary>The ready-made ImageAnalytics pixel pipeline on ML.NET's transforms catalog (<c>ml.Transforms</c>).</summary>
public static class SiameseImageCatalog
{
    /// <summary>
    /// <c>LoadImages</c> → (<c>ConvertToGrayscale</c>) → <c>ResizeImages</c> →
    /// <c>ExtractPixels(interleavePixelColors: false, scaleImage: 1f / 255f)</c>: turns an image-path column into the
    /// <c>Features</c> vector the Siamese encoder expects (planar CHW floats in 0..1). See
    /// <see cref="ImageFolder.CreatePixelPipeline"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="width">Output width in pixels.</param>
    /// <param name="height">Output height in pixels.</param>
    /// <param name="grayscale">One grey channel instead of RGB.</param>
    /// <param name="imageFolder">Folder that relative paths are taken from; null for full paths.</param>
    /// <param name="inputColumnName">The text column with image paths.</param>
    /// <param name="outputColumnName">The pixel column to create.</param>
    public static IEstimator<ITransformer> LoadImagePixels(this TransformsCatalog catalog, int width, int height, bool grayscale = false,
        string? imageFolder = null, string inputColumnName = ImageFolder.ImagePathColumnName,
        string outputColumnName = InMemoryImageDataView.FeaturesColumnName)
        => ImageFolder.CreatePixelPipeline(catalog, width, height, grayscale, imageFolder, inputColumnName, outputColumnName,
            ImageResizingEstimator.ResizingKind.IsoCrop);
}
