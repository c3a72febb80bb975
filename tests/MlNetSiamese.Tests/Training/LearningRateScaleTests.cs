using MlNetSiamese.Training;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Training;

/// <summary>A parameter with learning-rate scale s steps as under the same optimiser with rate x s and decay / s.</summary>
public class LearningRateScaleTests
{
    private static GradientOptimizer Make(OptimizerKind kind, Parameter w, double lr, double decay, double[]? scales) => kind switch
    {
        OptimizerKind.Sgd => new SgdOptimizer([w], lr, decay, momentum: 0.85, learningRateScales: scales),
        _ => new AdamOptimizer([w], lr, decay, decoupled: kind == OptimizerKind.AdamW, learningRateScales: scales),
    };

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    public void AScaledParameterStepsLikeOneWithTheScaledRateAndDecay(OptimizerKind kind)
    {
        const double lr = 0.004, decay = 0.2, scale = 8;
        using var scaledW = new Parameter(tensor(OptimizerProblem.Start));
        using (var scaled = Make(kind, scaledW, lr, decay, [scale])) OptimizerProblem.Run(scaled, scaledW, 10);
        using var plainW = new Parameter(tensor(OptimizerProblem.Start));
        using (var plain = Make(kind, plainW, lr * scale, decay / scale, null)) OptimizerProblem.Run(plain, plainW, 10);
        using var unscaledW = new Parameter(tensor(OptimizerProblem.Start));
        using (var unscaled = Make(kind, unscaledW, lr, decay, null)) OptimizerProblem.Run(unscaled, unscaledW, 10);

        var (a, b, c) = (scaledW.data<float>().ToArray(), plainW.data<float>().ToArray(), unscaledW.data<float>().ToArray());
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) < 1e-5, $"weight {i}: {a[i]} scaled, {b[i]} with the scaled rate and decay");
        Assert.True(a.Zip(c).Any(p => Math.Abs(p.First - p.Second) > 0.05), "the scale should change the steps");
    }

    [Fact]
    public void ScalesMustMatchTheParametersAndBePositive()
    {
        using var w = new Parameter(tensor(OptimizerProblem.Start));
        Assert.Contains("learningRateScales", Assert.Throws<ArgumentException>(() => new SgdOptimizer([w], 0.1, 0, learningRateScales: [1.0, 2.0])).Message);
        var e = Assert.Throws<ArgumentException>(() => new SgdOptimizer([w], 0.1, 0, learningRateScales: [0.0]));
        Assert.Contains("learningRateScales", e.Message);
        Assert.Contains("got 1: 0", e.Message);                       // the offending value, not just the count
    }
}
