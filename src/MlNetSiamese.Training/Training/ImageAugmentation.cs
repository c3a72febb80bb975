namespace MlNetSiamese.Training;

/// <summary>
/// Random crop with zero padding and random horizontal flip, applied to one planar CHW image while it is copied
/// into a batch; or a smaller random square crop of it (<see cref="CopyCropped"/>). Deterministic for a given <see cref="Random"/>.
/// </summary>
internal sealed class ImageAugmentation(int channels, int height, int width, int cropPadding, bool horizontalFlip)
{
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
