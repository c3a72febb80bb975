using Microsoft.ML.Data;

namespace SimilarityService.Model;

/// <summary>A row of model input: planar CHW pixels in 0..1 (or a plain feature vector). The column is renamed to the model's.</summary>
public sealed class PixelRow
{
    public float[] Features { get; set; } = [];
}

/// <summary>A row of model output: the L2-normalised embedding. The column is renamed to the model's.</summary>
public sealed class EmbeddingRow
{
    public float[] Embedding { get; set; } = [];
}

/// <summary>A decoded image, before it is resized and turned into pixels.</summary>
public sealed class ImageRow
{
    [Microsoft.ML.Transforms.Image.ImageType(1, 1)]   // the column's nominal size: images of any size go through, resized to the model's
    public MLImage? Image { get; set; }
}
