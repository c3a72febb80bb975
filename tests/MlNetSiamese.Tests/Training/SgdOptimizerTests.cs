using MlNetSiamese.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Training;

public class SgdOptimizerTests
{
    /// <summary>PyTorch's SGD with Nesterov momentum, written out in double precision.</summary>
    private static double[] Reference(double lr, double decay, double momentum, int steps)
    {
        var w = OptimizerProblem.Start.Select(v => (double)v).ToArray();
        var velocity = new double[w.Length];
        for (int t = 1; t <= steps; t++)
            for (int i = 0; i < w.Length; i++)
            {
                double g = OptimizerProblem.Gradient(i, w[i]) + decay * w[i];
                velocity[i] = t == 1 ? g : momentum * velocity[i] + g;
                w[i] -= lr * (g + momentum * velocity[i]);
            }
        return w;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void StepsFollowTheUpdateRule(double decay)
    {
        using var w = new Parameter(tensor(OptimizerProblem.Start));
        using var optimizer = new SgdOptimizer([w], 0.01, decay);
        var actual = OptimizerProblem.Run(optimizer, w, 12);
        var expected = Reference(0.01, decay, 0.9, 12);
        for (int i = 0; i < actual.Length; i++) Assert.Equal(expected[i], actual[i], 4);
        Assert.True(actual.Zip(OptimizerProblem.Start).Any(p => Math.Abs(p.First - p.Second) > 0.3), "12 steps should move the weights");
    }

    [Fact]
    public void SavedStateContinuesExactlyAndAdamStateIsRefused()
    {
        using var straightW = new Parameter(tensor(OptimizerProblem.Start));
        using var straight = new SgdOptimizer([straightW], 0.01, 0.1);
        var expected = OptimizerProblem.Run(straight, straightW, 8);

        using var firstW = new Parameter(tensor(OptimizerProblem.Start));
        using var first = new SgdOptimizer([firstW], 0.01, 0.1);
        OptimizerProblem.Run(first, firstW, 5);
        var state = new MemoryStream();
        using (var writer = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true)) first.Save(writer);
        using var resumedW = new Parameter(firstW.detach().clone());
        using var resumed = new SgdOptimizer([resumedW], 0.01, 0.1);
        state.Position = 0;
        resumed.Load(new BinaryReader(state), "checkpoint 'x.ckpt'");
        Assert.Equal(expected, OptimizerProblem.Run(resumed, resumedW, 3));

        var adamState = new MemoryStream();
        using (var adam = new AdamOptimizer([firstW], 0.01, 0, decoupled: true))
        using (var writer = new BinaryWriter(adamState, System.Text.Encoding.UTF8, leaveOpen: true)) adam.Save(writer);
        adamState.Position = 0;
        var e = Assert.Throws<InvalidDataException>(() => resumed.Load(new BinaryReader(adamState), "checkpoint 'x.ckpt'"));
        Assert.Contains("x.ckpt", e.Message);
        Assert.Contains("optimiser", e.Message);
    }

    [Fact]
    public void NegativeLearningRateDecayOrMomentumOutOfRangeIsNamed()
    {
        using var w = new Parameter(tensor(OptimizerProblem.Start));
        Assert.Contains("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new SgdOptimizer([w], -1, 0)).Message);
        Assert.Contains("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new SgdOptimizer([w], 0.1, -1)).Message);
        Assert.Contains("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new SgdOptimizer([w], 0.1, 0, momentum: 1)).Message);
    }
}
