namespace MlNetSiamese.Training;

/// <summary>
/// Random crop with zero padding and random horizontal flip, applied to one planar CHW image while it is copied
/// into a batch; or a smaller random square crop of it (<see cref="CopyCropped"/>); then, when asked, random erasing
/// (<see cref="Erase"/>). Deterministic for a given <see cref="Random"/>.
/// </summary>
internal sealed class ImageAugmentation(int channels, int height, int width, int cropPadding, bool horizontalFlip, float erasingProbability = 0)
{
    /// <summary>Random erasing's bounds (Zhong et al. 2020, the paper's defaults): the erased area is 2-40 % of the image,
    /// its aspect ratio between 0.3 and 1 / 0.3.</summary>
    internal const double MinErasedArea = 0.02, MaxErasedArea = 0.4, MinErasedAspect = 0.3;

    /// <summary>
    /// Random erasing: with probability <c>erasingProbability</c>, one rectangle of the (channels x
    /// <paramref name="imageHeight"/> x <paramref name="imageWidth"/>) image, of random area and aspect ratio within
    /// the bounds above, is filled with uniform random values in [0, 1) (pixels are scaled to 0..1). Returns whether it erased.
    /// </summary>
    public bool Erase(Span<float> image, int imageHeight, int imageWidth, Random random)
    {
        if (erasingProbability <= 0 || random.NextDouble() >= erasingProbability) return false;
        double area = imageHeight * imageWidth;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            double target = area * (MinErasedArea + random.NextDouble() * (MaxErasedArea - MinErasedArea));
            double aspect = Math.Exp(Math.Log(MinErasedAspect) + random.NextDouble() * -2 * Math.Log(MinErasedAspect));
            int h = (int)Math.Round(Math.Sqrt(target * aspect)), w = (int)Math.Round(Math.Sqrt(target / aspect));
            if (h < 1 || w < 1 || h >= imageHeight || w >= imageWidth) continue;
            int top = random.Next(imageHeight - h + 1), left = random.Next(imageWidth - w + 1);
            for (int c = 0; c < channels; c++)
                for (int y = top; y < top + h; y++)
                {
                    var row = image.Slice((c * imageHeight + y) * imageWidth + left, w);
                    for (int x = 0; x < w; x++) row[x] = random.NextSingle();
                }
            return true;
        }
        return false;
    }

    public void CopyAugmented(ReadOnlySpan<float> source, Span<float> target, Random random)
    {
        int dx = cropPadding > 0 ? random.Next(-cropPadding, cropPadding + 1) : 0;
        int dy = cropPadding > 0 ? random.Next(-cropPadding, cropPadding + 1) : 0;
        bool flip = horizontalFlip && random.Next(2) == 1;
        target.Clear();
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
            {
                int sy = y + dy;
                if (sy < 0 || sy >= height) continue;
                int rowT = (c * height + y) * width, rowS = (c * height + sy) * width;
                for (int x = 0; x < width; x++)
                {
                    int sx = (flip ? width - 1 - x : x) + dx;
                    if (sx >= 0 && sx < width) target[rowT + x] = source[rowS + sx];
                }
            }
    }

    /// <summary>
    /// A <paramref name="size"/> x <paramref name="size"/> window at a random position inside the image (no padding),
    /// mirrored when flips are on, into <paramref name="target"/> (channels x size x size).
    /// </summary>
    public void CopyCropped(ReadOnlySpan<float> source, Span<float> target, int size, Random random)
    {
        int oy = random.Next(height - size + 1), ox = random.Next(width - size + 1);
        bool flip = horizontalFlip && random.Next(2) == 1;
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < size; y++)
            {
                var row = source.Slice((c * height + oy + y) * width + ox, size);
                var dst = target.Slice((c * size + y) * size, size);
                row.CopyTo(dst);
                if (flip) dst.Reverse();
            }
    }
}
