using MlNetSiamese.Training;
using Xunit;

namespace MlNetSiamese.Tests.Training;

public class RandomErasingTests
{
    private const int Channels = 2, Height = 12, Width = 10;

    private static float[] Image() => Enumerable.Range(0, Channels * Height * Width).Select(i => 2f + i).ToArray();   // outside [0, 1): noise is told apart

    [Fact]
    public void EachErasureIsOneRectangleOfNoiseWithinTheBoundsInEveryChannel()
    {
        var erasing = new ImageAugmentation(Channels, Height, Width, cropPadding: 0, horizontalFlip: false, erasingProbability: 1);
        var random = new Random(7);
        var areas = new List<int>();
        for (int n = 0; n < 300; n++)
        {
            var image = Image();
            Assert.True(erasing.Erase(image, Height, Width, random));
            var changed = new List<(int C, int Y, int X)>();
            for (int c = 0; c < Channels; c++)
                for (int y = 0; y < Height; y++)
                    for (int x = 0; x < Width; x++)
                    {
                        float v = image[(c * Height + y) * Width + x];
                        if (v != 2f + (c * Height + y) * Width + x) { Assert.InRange(v, 0f, 1f); changed.Add((c, y, x)); }
                    }
            int top = changed.Min(p => p.Y), bottom = changed.Max(p => p.Y), left = changed.Min(p => p.X), right = changed.Max(p => p.X);
            int h = bottom - top + 1, w = right - left + 1;
            Assert.Equal(Channels * h * w, changed.Count);               // a full rectangle, the same in every channel
            Assert.InRange(h * w, 1, (int)Math.Ceiling(ImageAugmentation.MaxErasedArea * Height * Width * 1.3));
            Assert.True(h < Height && w < Width);
            areas.Add(h * w);
        }
        Assert.True(areas.Distinct().Count() > 10);                      // sizes vary
    }

    [Theory]
    [InlineData(0f, 0, 0)]
    [InlineData(0.5f, 150, 250)]
    [InlineData(1f, 400, 400)]
    public void ImagesAreErasedWithTheGivenProbability(float probability, int atLeast, int atMost)
    {
        var erasing = new ImageAugmentation(Channels, Height, Width, cropPadding: 0, horizontalFlip: false, erasingProbability: probability);
        var random = new Random(3);
        int erased = 0;
        for (int n = 0; n < 400; n++)
        {
            var image = Image();
            bool said = erasing.Erase(image, Height, Width, random);
            bool did = !image.SequenceEqual(Image());
            Assert.Equal(said, did);
            if (did) erased++;
        }
        Assert.InRange(erased, atLeast, atMost);
    }

    [Fact]
    public void ErasingIsDeterministicForASeed()
    {
        var erasing = new ImageAugmentation(Channels, Height, Width, cropPadding: 0, horizontalFlip: false, erasingProbability: 0.7f);
        float[] Run(int seed) { var r = new Random(seed); var image = Image(); for (int i = 0; i < 5; i++) erasing.Erase(image, Height, Width, r); return image; }
        Assert.Equal(Run(1), Run(1));
        Assert.NotEqual(Run(1), Run(2));
    }
}
