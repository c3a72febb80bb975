using MlNetSiamese.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Losses;

public class NormalizedSoftmaxLossTests
{
    private static float Loss(float smoothing)
    {
        using var init = new Generator(5);   // the same class directions for every smoothing
        using var loss = new NormalizedSoftmaxLoss(embeddingDimension: 6, classes: 4, init, labelSmoothing: smoothing);
        using var g = new Generator(6);
        using var embeddings = nn.functional.normalize(randn(10, 6, generator: g), p: 2, dim: 1);
        using var labels = tensor(new long[] { 0, 1, 2, 3, 0, 1, 2, 3, 0, 1 });
        using var value = loss.forward(embeddings, labels);
        return value.item<float>();
    }

    [Fact]
    public void LabelSmoothingMixesTheLabelsCrossEntropyWithTheMeanOverAllClasses()
    {
        // A target of (1 - s) on the label plus s spread evenly: the loss is linear in s between the plain
        // cross-entropy (s = 0) and the mean cross-entropy over every class (s = 1).
        float plain = Loss(0f), uniform = Loss(1f), smoothed = Loss(0.3f);
        Assert.True(Math.Abs(plain - uniform) > 0.1f, $"the two ends should differ ({plain} vs {uniform})");
        Assert.Equal(0.7f * plain + 0.3f * uniform, smoothed, 1e-4f);
    }

    [Fact]
    public void TheOutputsLengthDoesNotMatterItIsNormalisedFirst()
    {
        using var init = new Generator(5);
        using var loss = new NormalizedSoftmaxLoss(embeddingDimension: 6, classes: 4, init);
        using var g = new Generator(6);
        using var raw = randn(8, 6, generator: g).mul_(4);
        using var unit = nn.functional.normalize(raw, p: 2, dim: 1);
        using var labels = tensor(new long[] { 0, 1, 2, 3, 0, 1, 2, 3 });
        Assert.Equal(loss.forward(unit, labels).item<float>(), loss.forward(raw, labels).item<float>(), 1e-5f);
    }
}
