using System.Numerics.Tensors;

namespace MlNetSiamese.Evaluation;

/// <summary>Row-wise helpers over row-major embedding matrices stored as flat float arrays.</summary>
public static class EmbeddingMath
{
    /// <summary>
    /// Returns an L2-normalised copy of <paramref name="embeddings"/> (row-major, <paramref name="dimension"/> columns).
    /// Rejects NaN/infinite values and zero vectors, naming <paramref name="argumentName"/> and the row.
    /// </summary>
    public static float[] NormalizeRows(ReadOnlySpan<float> embeddings, int dimension, string argumentName = "embeddings")
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The embedding dimension must be at least 1.");
        if (embeddings.Length % dimension != 0)
            throw new ArgumentException($"'{argumentName}' has {embeddings.Length} values, not a multiple of the dimension {dimension}.", argumentName);
        var result = new float[embeddings.Length];
        int rows = embeddings.Length / dimension;
        for (int r = 0; r < rows; r++)
        {
            var src = embeddings.Slice(r * dimension, dimension);
            NormalizeInto(src, result.AsSpan(r * dimension, dimension), argumentName, r);
        }
        return result;
    }

    /// <summary>Writes the L2-normalised <paramref name="source"/> into <paramref name="destination"/>; throws for NaN, infinity or a zero vector.</summary>
    public static void NormalizeInto(ReadOnlySpan<float> source, Span<float> destination, string argumentName, long row)
    {
        if (!TensorPrimitives.IsFiniteAll(source))
            throw new ArgumentException($"'{argumentName}' row {row} contains NaN or infinity; embeddings must be finite.", argumentName);
        double sumSq = 0;
        foreach (float v in source) sumSq += (double)v * v;
        if (!(sumSq > 0) || double.IsInfinity(sumSq))
            throw new ArgumentException($"'{argumentName}' row {row} is a zero vector; cosine similarity is undefined for it.", argumentName);
        float inv = (float)(1.0 / Math.Sqrt(sumSq));
        TensorPrimitives.Multiply(source, inv, destination);
    }

    /// <summary>Cosine similarity of two vectors of equal length (computed in double; for reference use).</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Vectors have different lengths {a.Length} and {b.Length}.", nameof(b));
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += (double)a[i] * b[i]; na += (double)a[i] * a[i]; nb += (double)b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb);
    }
}
