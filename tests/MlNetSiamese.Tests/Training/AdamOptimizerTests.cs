using MlNetSiamese.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Training;

public class AdamOptimizerTests
{
    private static readonly float[] Start = OptimizerProblem.Start, Target = OptimizerProblem.Target;
    private static float[] Run(GradientOptimizer optimizer, Parameter w, int steps) => OptimizerProblem.Run(optimizer, w, steps);

    /// <summary>The update rules written out in double precision (Kingma and Ba; Loshchilov and Hutter for AdamW).</summary>
    private static double[] Reference(bool decoupled, double lr, double decay, double beta1, double beta2, int steps)
    {
        var w = Start.Select(v => (double)v).ToArray();
        var m = new double[w.Length];
        var v = new double[w.Length];
        for (int t = 1; t <= steps; t++)
            for (int i = 0; i < w.Length; i++)
            {
                double g = OptimizerProblem.Gradient(i, w[i]);
                if (decoupled) w[i] *= 1 - lr * decay; else g += decay * w[i];
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(beta1, t)), root = Math.Sqrt(v[i] / (1 - Math.Pow(beta2, t)));
                w[i] -= lr * mHat / (root + 1e-8);
            }
        return w;
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.1)]
    [InlineData(true, 0.1)]
    public void StepsFollowTheUpdateRule(bool decoupled, double decay)
    {
        using var w = new Parameter(tensor(Start));
        using var optimizer = new AdamOptimizer([w], 0.05, decay, decoupled, beta2: 0.99);
        var actual = Run(optimizer, w, 12);
        var expected = Reference(decoupled, 0.05, decay, 0.9, 0.99, 12);
        for (int i = 0; i < actual.Length; i++) Assert.Equal(expected[i], actual[i], 4);
        Assert.True(actual.Zip(Start).Any(p => Math.Abs(p.First - p.Second) > 0.3), "12 steps of 0.05 should move the weights");
    }

    [Fact]
    public void SavedStateContinuesExactlyAndForeignStateIsRefusedNamingTheSource()
    {
        using var straightW = new Parameter(tensor(Start));
        using var straight = new AdamOptimizer([straightW], 0.05, 0.1, decoupled: true);
        var expected = Run(straight, straightW, 8);

        using var firstW = new Parameter(tensor(Start));
        using var first = new AdamOptimizer([firstW], 0.05, 0.1, decoupled: true);
        Run(first, firstW, 5);
        var state = new MemoryStream();
        using (var writer = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true)) first.Save(writer);

        using var resumedW = new Parameter(firstW.detach().clone());
        using var resumed = new AdamOptimizer([resumedW], 0.05, 0.1, decoupled: true);
        state.Position = 0;
        resumed.Load(new BinaryReader(state), "checkpoint 'x.ckpt'");
        Assert.Equal(expected, Run(resumed, resumedW, 3));

        using var otherW = new Parameter(tensor(new float[3]));
        using var other = new AdamOptimizer([otherW], 0.05, 0, decoupled: false);
        state.Position = 0;
        var e = Assert.Throws<InvalidDataException>(() => other.Load(new BinaryReader(state), "checkpoint 'x.ckpt'"));
        Assert.Contains("x.ckpt", e.Message);
        var garbage = Assert.Throws<InvalidDataException>(() => other.Load(new BinaryReader(new MemoryStream([1, 2, 3])), "checkpoint 'y.ckpt'"));
        Assert.Contains("y.ckpt", garbage.Message);
    }

    [Fact]
    public void NegativeLearningRateOrDecayIsNamed()
    {
        using var w = new Parameter(tensor(Start));
        Assert.Contains("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptimizer([w], -1, 0, true)).Message);
        Assert.Contains("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptimizer([w], 1e-3, -1, true)).Message);
    }
}
