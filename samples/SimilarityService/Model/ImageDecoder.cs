using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MlNetSiamese;

namespace SimilarityService.Model;

/// <summary>
/// Image bytes to the model's input: ML.NET's ImageAnalytics chain that <c>mlnet-siamese</c> uses on files
/// (<c>ImageFolder.CreatePixelPipeline</c>: grey conversion for one-channel models, <c>ResizeImages</c> with IsoCrop,
/// <c>ExtractPixels</c> planar CHW scaled by 1/255), run from an in-memory image instead of a path, so the service
/// embeds an uploaded file as the command line embeds the same file.
/// </summary>
public sealed class ImageDecoder
{
    private readonly ObjectPool<PredictionEngine<ImageRow, PixelRow>> engines;

    public ImageDecoder(MLContext ml, int channels, int height, int width)
    {
        const string image = "Image";
        var schema = SchemaDefinition.Create(typeof(ImageRow));
        bool grey = channels == 1;
        IEstimator<ITransformer> chain = grey ? ml.Transforms.ConvertToGrayscale(image, image) : new EstimatorChain<ITransformer>();
        var pipeline = chain
            .Append(ml.Transforms.ResizeImages(image, width, height, image, ImageResizingEstimator.ResizingKind.IsoCrop))
            .Append(ml.Transforms.ExtractPixels(nameof(PixelRow.Features), image,
                colorsToExtract: grey ? ImagePixelExtractingEstimator.ColorBits.Red : ImagePixelExtractingEstimator.ColorBits.Rgb,
                orderOfExtraction: ImagePixelExtractingEstimator.ColorsOrder.ARGB, interleavePixelColors: false,
                offsetImage: 0f, scaleImage: InMemoryImageDataView.PixelScale, outputAsFloatArray: true));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>(), schema));
        engines = new DefaultObjectPool<PredictionEngine<ImageRow, PixelRow>>(
            new EnginePolicy<ImageRow, PixelRow>(() => ml.Model.CreatePredictionEngine<ImageRow, PixelRow>(model, inputSchemaDefinition: schema)),
            Environment.ProcessorCount * 2);
        InputSize = channels * height * width;
    }

    private int InputSize { get; }

    /// <summary>Decodes <paramref name="bytes"/> (the caller checked the header) into <c>channels x height x width</c> floats in 0..1.</summary>
    public float[] Decode(byte[] bytes)
    {
        using var image = MLImage.CreateFromStream(new MemoryStream(bytes, writable: false));
        var engine = engines.Get();
        try
        {
            var pixels = engine.Predict(new ImageRow { Image = image }).Features;
            if (pixels.Length != InputSize) throw new InvalidDataException($"decoded to {pixels.Length} values instead of {InputSize}");
            return pixels;
        }
        finally
        {
            engines.Return(engine);
        }
    }
}
