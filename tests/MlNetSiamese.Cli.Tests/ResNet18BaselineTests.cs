using MlNetSiamese.Cli.Commands;
using Xunit;

namespace MlNetSiamese.Cli.Tests;

/// <summary>
/// The pixels the ResNet-18 baseline hands to ML.NET's featurizer: bilinear upsampling checked against PyTorch's
/// definition of <c>interpolate(mode="bilinear", align_corners=False)</c> worked by hand, grey repeated, 0-255.
/// </summary>
public class ResNet18BaselineTests
{
    [Fact]
    public void UpsamplingTwoToFourPixelsFollowsPyTorchsHalfPixelDefinition()
    {
        // Source x of target 0..3 is (x + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
        float a = 2, b = 10;
        var target = new float[4];
        ResNet18Baseline.Upsample([a, b], 1, 2, target, 1, 4);
        Assert.Equal([a, 0.75f * a + 0.25f * b, 0.25f * a + 0.75f * b, b], target);

        // 2 x 2 -> 4 x 4: separable, so each value is the product of the row and column weights.
        float[] source = [1, 2, 3, 4];
        var grid = new float[16];
        ResNet18Baseline.Upsample(source, 2, 2, grid, 4, 4);
        float[] w = [0, 0.25f, 0.75f, 1];
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
            {
                double expected = (1 - w[y]) * ((1 - w[x]) * 1 + w[x] * 2) + w[y] * ((1 - w[x]) * 3 + w[x] * 4);
                Assert.Equal(expected, grid[y * 4 + x], 5);
            }
    }

    [Fact]
    public void AGreyImageBecomesThreeEqualPlanesOn0To255AndColourKeepsItsChannels()
    {
        var grey = ResNet18Baseline.Prepare(Enumerable.Repeat(0.5f, 28 * 28).ToArray(), 1, 28, 28);
        Assert.Equal(3 * 224 * 224, grey.Length);
        Assert.All(grey, v => Assert.Equal(127.5f, v, 3));

        var colour = new float[3 * 8 * 8];
        for (int c = 0; c < 3; c++) Array.Fill(colour, (c + 1) / 4f, c * 64, 64);
        var prepared = ResNet18Baseline.Prepare(colour, 3, 8, 8);
        for (int c = 0; c < 3; c++)
            Assert.All(prepared.AsSpan(c * 224 * 224, 224 * 224).ToArray(), v => Assert.Equal((c + 1) / 4f * 255f, v, 3));
    }
}
