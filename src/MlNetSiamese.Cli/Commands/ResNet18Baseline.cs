using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.Cli.Commands;

/// <summary>
/// <c>evaluate --baseline resnet18</c>: ML.NET's ImageNet ResNet-18 (Microsoft.ML.DnnImageFeaturizer.ResNet18) as the
/// embedding, 512 pooled features per image. Each image goes in the way ML.NET's own pipeline
/// (<c>ResizeImages(224, 224)</c> then <c>ExtractPixels()</c>) would hand it over: 224 x 224, planar, three channels
/// (grey repeated), values 0-255; bilinear upsampling as PyTorch's <c>interpolate(align_corners=False)</c>.
/// <c>DnnFeaturizeImage</c> applies the network's own preprocessing.
/// </summary>
public static class ResNet18Baseline
{
    /// <summary>The network's fixed input side.</summary>
    public const int Side = 224;

    /// <summary>Label and ResNet-18 features (column "Embedding") of every row of <paramref name="view"/>, cached.</summary>
    public static IDataView Embed(MLContext ml, IDataView view, int channels, int height, int width)
    {
        var input = SchemaDefinition.Create(typeof(Source));
        input[nameof(Source.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, channels * height * width);
        var pipeline = ml.Transforms.CustomMapping<Source, Prepared>((s, p) => p.ResNetInput = Prepare(s.Features, channels, height, width), contractName: null, inputSchemaDefinition: input)
            .Append(ml.Transforms.DnnFeaturizeImage("Embedding", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), nameof(Prepared.ResNetInput)))
            .Append(ml.Transforms.SelectColumns("Label", "Embedding"));
        return ml.Data.Cache(pipeline.Fit(view).Transform(view));
    }

    /// <summary>Planar 0..1 pixels of <paramref name="channels"/> x <paramref name="height"/> x <paramref name="width"/> -> planar 3 x 224 x 224 on 0-255.</summary>
    public static float[] Prepare(float[] pixels, int channels, int height, int width)
    {
        var output = new float[3 * Side * Side];
        int plane = Side * Side;
        for (int c = 0; c < channels; c++)
            Upsample(pixels.AsSpan(c * height * width, height * width), height, width, output.AsSpan(c * plane, plane), Side, Side);
        for (int c = channels; c < 3; c++) output.AsSpan(0, plane).CopyTo(output.AsSpan(c * plane));   // grey: the one plane three times
        System.Numerics.Tensors.TensorPrimitives.Multiply(output, 255f, output);
        return output;
    }

    /// <summary>Bilinear resize of one plane, with half-pixel centres and edges clamped (PyTorch's <c>align_corners=False</c>).</summary>
    public static void Upsample(ReadOnlySpan<float> source, int height, int width, Span<float> target, int outHeight, int outWidth)
    {
        for (int y = 0; y < outHeight; y++)
        {
            var (y0, y1, wy) = Coordinates(y, height, outHeight);
            for (int x = 0; x < outWidth; x++)
            {
                var (x0, x1, wx) = Coordinates(x, width, outWidth);
                float top = source[y0 * width + x0] * (1 - wx) + source[y0 * width + x1] * wx;
                float bottom = source[y1 * width + x0] * (1 - wx) + source[y1 * width + x1] * wx;
                target[y * outWidth + x] = top * (1 - wy) + bottom * wy;
            }
        }
    }

    private static (int Low, int High, float Weight) Coordinates(int target, int sourceSize, int targetSize)
    {
        float position = Math.Max(0f, (target + 0.5f) * sourceSize / targetSize - 0.5f);
        int low = Math.Min((int)position, sourceSize - 1);
        int high = Math.Min(low + 1, sourceSize - 1);
        return (low, high, position - low);
    }

    private sealed class Source
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class Prepared
    {
        [VectorType(3, Side, Side)] public float[] ResNetInput { get; set; } = [];
    }
}
