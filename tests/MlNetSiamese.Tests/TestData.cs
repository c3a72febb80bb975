namespace MlNetSiamese.Tests;

/// <summary>Seeded random embeddings for tests.</summary>
internal static class TestData
{
    public static float[] Gaussian(int rows, int dim, int seed)
    {
        var rng = new Random(seed);
        var data = new float[rows * dim];
        for (int i = 0; i < data.Length; i++)
            data[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return data;
    }

    /// <summary>Class-clustered embeddings: class centre plus noise, so metrics are neither 0 nor 1.</summary>
    public static (float[] Embeddings, int[] Labels) Clustered(int rows, int dim, int classes, float noise, int seed)
    {
        var centres = Gaussian(classes, dim, seed + 1);
        var noiseData = Gaussian(rows, dim, seed + 2);
        var rng = new Random(seed);
        var labels = new int[rows];
        var emb = new float[rows * dim];
        for (int i = 0; i < rows; i++)
        {
            labels[i] = rng.Next(classes);
            for (int d = 0; d < dim; d++) emb[i * dim + d] = centres[labels[i] * dim + d] + noise * noiseData[i * dim + d];
        }
        return (emb, labels);
    }

    public static float[] Row(float[] data, int dim, int row) => data.AsSpan(row * dim, dim).ToArray();

    public static float[] Angles2D(params double[] degrees) =>
        degrees.SelectMany(a => new[] { (float)Math.Cos(a * Math.PI / 180), (float)Math.Sin(a * Math.PI / 180) }).ToArray();
}
