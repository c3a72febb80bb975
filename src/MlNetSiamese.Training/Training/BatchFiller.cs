namespace MlNetSiamese.Training;

/// <summary>
/// Copies a batch's rows into one flat buffer for the encoder: as they are, augmented (crop with padding, flip), or as
/// smaller random crops of <see cref="CropSide"/> pixels (the first epochs of <see cref="TrainingRecipe.TrainingCropSize"/>).
/// </summary>
internal sealed class BatchFiller(TrainingSet set, ImageAugmentation? augmentation, int channels, int height, int width, int cropSide)
{
    private float[] buffer = [];

    /// <summary>The side of the square crops this filler makes, or 0 for whole rows.</summary>
    public int CropSide => cropSide;
    /// <summary>Image height and width of the rows it fills (the crop's side while cropping).</summary>
    public (int Height, int Width) Size => cropSide > 0 ? (cropSide, cropSide) : (height, width);
    /// <summary>Values per filled row.</summary>
    public int RowSize => cropSide > 0 ? channels * cropSide * cropSide : set.RowSize;

    /// <summary>The rows of <paramref name="batch"/>, filled in order, and their labels; the span is valid until the next call.</summary>
    public (ReadOnlyMemory<float> Values, int[] Labels) Fill(SampledBatch batch, Random random)
    {
        int rows = batch.Rows.Length, size = RowSize;
        if (buffer.Length != rows * size) buffer = new float[rows * size];
        var labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            var source = set.Features.AsSpan(batch.Rows[i] * set.RowSize, set.RowSize);
            var target = buffer.AsSpan(i * size, size);
            if (cropSide > 0) augmentation!.CopyCropped(source, target, cropSide, random);
            else if (augmentation != null) augmentation.CopyAugmented(source, target, random);
            else source.CopyTo(target);
            labels[i] = set.Labels[batch.Rows[i]];
        }
        return (buffer, labels);
    }
}
