using MlNetSiamese.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Losses;

public class LinearSoftmaxLossTests
{
    [Fact]
    public void IsTheCrossEntropyOfANinthOfALinearMapOfTheRawOutputs()
    {
        using var init = new Generator(3);
        using var loss = new LinearSoftmaxLoss(embeddingDimension: 5, classes: 3, init, labelSmoothing: 0.2f);
        var weight = loss.parameters().Single();
        Assert.Equal(new long[] { 3, 5 }, weight.shape);
        using var g = new Generator(4);
        using var outputs = randn(6, 5, generator: g).mul_(3);         // not normalised: the length counts
        using var labels = tensor(new long[] { 0, 1, 2, 0, 1, 2 });
        float actual = loss.forward(outputs, labels).item<float>();

        var w = weight.data<float>().ToArray();
        var x = outputs.data<float>().ToArray();
        var y = labels.data<long>().ToArray();
        double sum = 0;
        for (int i = 0; i < 6; i++)
        {
            var logits = Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, 5).Sum(d => (double)w[c * 5 + d] * x[i * 5 + d]) / 9).ToArray();
            double max = logits.Max(), logZ = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
            for (int c = 0; c < 3; c++) sum -= ((c == y[i] ? 0.8 : 0) + 0.2 / 3) * (logits[c] - logZ);
        }
        Assert.True(Math.Abs(sum / 6 - actual) < 1e-4, $"expected {sum / 6}, got {actual}");

        using var doubled = outputs.mul(2);                             // unlike the normalised head, the scale changes the loss
        Assert.True(Math.Abs(actual - loss.forward(doubled, labels).item<float>()) > 1e-2);
    }
}
