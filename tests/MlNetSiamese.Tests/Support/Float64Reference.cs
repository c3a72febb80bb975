using MlNetSiamese.Encoders;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Support;

/// <summary>
/// Expected values for numerical tests from the same weights in float64 (<see cref="Encoder.ToFloat64"/>): oneDNN has
/// no float64 kernels, so a oneDNN bug in the float32 path under test cannot reach this side.
/// </summary>
public static class Float64Reference
{
    /// <summary>
    /// L2-normalised embeddings of <paramref name="rows"/> flat inputs by the float64 copy of <paramref name="encoder"/>
    /// (its network only, in its current mode: no test-time augmentation), for images of the given size (the config's
    /// by default).
    /// </summary>
    internal static double[] Embeddings(Encoder encoder, float[] inputs, int rows, int height = 0, int width = 0)
    {
        using var reference = encoder.ToFloat64();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(inputs.Select(v => (double)v).ToArray(), new long[] { rows, inputs.Length / rows });
        var y = height > 0 ? reference.Forward(x, height, width) : reference.Forward(x);
        return y.data<double>().ToArray();
    }

    /// <summary>Rows of <paramref name="sum"/> (of <paramref name="dim"/> values) each divided by its L2 norm.</summary>
    public static double[] Normalised(double[] sum, int dim)
    {
        var result = new double[sum.Length];
        for (int r = 0; r < sum.Length / dim; r++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, dim).Sum(j => sum[r * dim + j] * sum[r * dim + j]));
            for (int j = 0; j < dim; j++) result[r * dim + j] = sum[r * dim + j] / norm;
        }
        return result;
    }

    public static double MaxDifference(IReadOnlyList<float> actual, IReadOnlyList<double> expected)
    {
        if (actual.Count != expected.Count) throw new InvalidOperationException($"{actual.Count} values vs {expected.Count}");
        double max = 0;
        for (int i = 0; i < actual.Count; i++) max = Math.Max(max, double.IsNaN(actual[i]) ? double.PositiveInfinity : Math.Abs(actual[i] - expected[i]));
        return max;
    }
}
