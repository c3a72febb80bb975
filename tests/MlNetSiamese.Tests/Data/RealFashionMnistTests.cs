using Xunit;

namespace MlNetSiamese.Tests.Data;

/// <summary>Reads the real Fashion-MNIST from the Debian package <c>dataset-fashion-mnist</c> when it is installed.
/// Outside CI a missing package makes the test return early (xunit 2 has no dynamic skip); under CI (CI set) the data
/// must be there.</summary>
public class RealFashionMnistTests
{
    private const string DebianPath = "/usr/share/datasets/fashion-mnist";

    [Theory]
    [InlineData(DataSplit.Train, 60_000, new[] { "Ankle boot", "T-shirt/top", "T-shirt/top", "Dress" })]
    [InlineData(DataSplit.Test, 10_000, new[] { "Ankle boot", "Pullover", "Trouser", "Trouser" })]
    public void ReadsTheInstalledPackage(DataSplit split, int count, string[] firstLabels)
    {
        if (!FashionMnist.IsPresentIn(DebianPath))
        {
            Assert.True(string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")),
                $"CI is set but Fashion-MNIST is not installed at {DebianPath}: apt-get install -y dataset-fashion-mnist");
            Console.WriteLine($"SKIPPED: Fashion-MNIST not installed at {DebianPath}");
            return;
        }

        var view = FashionMnist.Load(DebianPath, split);
        Assert.Equal(count, view.Count);
        Assert.Equal(784, view.FeatureLength);
        // Known first labels: train 9, 0, 0, 3; test 9, 2, 1, 1.
        Assert.Equal(firstLabels, Enumerable.Range(0, 4).Select(view.GetLabel));
        Assert.Equal(firstLabels, Rows.Read(view).Take(4).Select(r => r.Label));
        Assert.Equal(count / 10, Enumerable.Range(0, view.Count).Count(i => view.GetLabelIndex(i) == 0));
    }
}
