using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace MlNetSiamese;

public static partial class ImageFolder
{
    private const string ImageColumn = "__MlNetSiameseImage";

    /// <summary>
    /// Builds the ML.NET ImageAnalytics chain that turns an image-path column into the <c>Features</c> column the
    /// Siamese encoder expects: <c>LoadImages</c> → (<c>ConvertToGrayscale</c>) → <c>ResizeImages</c> →
    /// <c>ExtractPixels(interleavePixelColors: false, scaleImage: 1f / 255f)</c>, then drops the image column.
    /// </summary>
    /// <remarks>
    /// Output: a fixed-size vector of <see cref="float"/>, <c>channels x height x width</c> in planar CHW order
    /// (all red values, then green, then blue; one grey plane when <paramref name="grayscale"/>), scaled 0..1.
    /// Every image is resized to <paramref name="width"/> x <paramref name="height"/> with <paramref name="resizing"/>:
    /// larger images are shrunk, smaller ones are enlarged (never an error). With the default
    /// <see cref="ImageResizingEstimator.ResizingKind.IsoCrop"/> the aspect ratio is kept and the overflow is cropped
    /// around the centre. Unreadable files make the cursor throw when their row is read.
    /// </remarks>
    /// <param name="transforms">The transforms catalog, e.g. <c>ml.Transforms</c>.</param>
    /// <param name="width">Output width in pixels.</param>
    /// <param name="height">Output height in pixels.</param>
    /// <param name="grayscale">True for one grey channel, false for three RGB channels.</param>
    /// <param name="imageFolder">Folder that relative paths are taken from; null when the paths are full paths.</param>
    /// <param name="inputColumnName">The text column with image paths.</param>
    /// <param name="outputColumnName">The pixel column to create.</param>
    /// <param name="resizing">How to resize.</param>
    public static IEstimator<ITransformer> CreatePixelPipeline(TransformsCatalog transforms, int width, int height, bool grayscale = false,
        string? imageFolder = null, string inputColumnName = ImagePathColumnName, string outputColumnName = InMemoryImageDataView.FeaturesColumnName,
        ImageResizingEstimator.ResizingKind resizing = ImageResizingEstimator.ResizingKind.IsoCrop)
        => CreatePipeline(transforms, width, height, grayscale, imageFolder, inputColumnName, outputColumnName, resizing, asFloat: true);

    /// <summary>The same chain with byte output (0..255, no scaling), used to fill the in-memory byte cache.</summary>
    internal static IEstimator<ITransformer> CreatePipeline(TransformsCatalog transforms, int width, int height, bool grayscale,
        string? imageFolder, string inputColumnName, string outputColumnName, ImageResizingEstimator.ResizingKind resizing, bool asFloat)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Image size {width}x{height} must be positive.");

        IEstimator<ITransformer> chain = transforms.LoadImages(ImageColumn, imageFolder, inputColumnName);
        if (grayscale)
            chain = chain.Append(transforms.ConvertToGrayscale(ImageColumn, ImageColumn));
        return chain
            .Append(transforms.ResizeImages(ImageColumn, width, height, ImageColumn, resizing))
            .Append(transforms.ExtractPixels(outputColumnName, ImageColumn,
                colorsToExtract: grayscale ? ImagePixelExtractingEstimator.ColorBits.Red : ImagePixelExtractingEstimator.ColorBits.Rgb,
                orderOfExtraction: ImagePixelExtractingEstimator.ColorsOrder.ARGB,
                interleavePixelColors: false,
                offsetImage: 0f,
                scaleImage: asFloat ? InMemoryImageDataView.PixelScale : 1f,
                outputAsFloatArray: asFloat))
            .Append(transforms.DropColumns(ImageColumn));
    }
}
