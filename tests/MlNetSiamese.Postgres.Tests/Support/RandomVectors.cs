namespace MlNetSiamese.Postgres.Tests.Support;

/// <summary>Seeded random unit vectors (Gaussian directions), row-major, and store items made of them.</summary>
public static class RandomVectors
{
    public static float[][] Unit(int count, int dimension, int seed)
    {
        var rng = new Random(seed);
        var rows = new float[count][];
        for (int i = 0; i < count; i++)
        {
            var v = new float[dimension];
            double norm = 0;
            for (int j = 0; j < dimension; j++)
            {
                // Box-Muller: a Gaussian coordinate, so directions are uniform on the sphere.
                double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                v[j] = (float)g;
                norm += g * g;
            }
            float inv = (float)(1 / Math.Sqrt(norm));
            for (int j = 0; j < dimension; j++) v[j] *= inv;
            rows[i] = v;
        }
        return rows;
    }

    public static string Id(int i) => $"item-{i:D5}";

    public static List<StoredEmbedding> Items(float[][] vectors, int from = 0) =>
        vectors.Select((v, i) => new StoredEmbedding(Id(from + i), v, $"class{(from + i) % 7}", $"{{\"n\": {from + i}}}")).ToList();

    public static string ModelId(char digit) => new(digit, 64);
}
