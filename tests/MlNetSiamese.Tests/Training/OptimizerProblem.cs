using MlNetSiamese.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Training;

/// <summary>The optimiser tests' problem: a weighted squared distance sum_i (i + 1) (w_i - target_i)^2, so the gradient is 2 (i + 1) (w_i - target_i).</summary>
internal static class OptimizerProblem
{
    public static readonly float[] Start = [0.5f, -1.5f, 2f, 0.25f, -0.75f, 1f];
    public static readonly float[] Target = [1f, 1f, -1f, 0f, 0.5f, 2f];

    public static double Gradient(int i, double w) => 2 * (i + 1) * (w - Target[i]);

    /// <summary><paramref name="steps"/> optimiser steps on the problem; the weights after them.</summary>
    public static float[] Run(GradientOptimizer optimizer, Parameter w, int steps)
    {
        using var target = tensor(Target);
        using var weights = tensor(Enumerable.Range(1, Target.Length).Select(i => (float)i).ToArray());
        for (int t = 0; t < steps; t++)
        {
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var diff = w.sub(target);
            var loss = diff.mul(diff).mul(weights).sum();
            loss.backward();
            optimizer.Step();
        }
        return w.data<float>().ToArray();
    }
}
