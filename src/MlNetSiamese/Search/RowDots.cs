using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetSiamese.Search;

/// <summary>
/// Dot products of one query with consecutive rows of a row-major matrix: the inner loop of the exact search.
/// For dimensions that are a multiple of 8 it scores four rows per step with 256-bit multiply-adds, loading each
/// slice of the query once for the four rows; a single call per 64-d row (TensorPrimitives.Dot) spends a large
/// share of its time on call overhead and the horizontal sum. Every row is summed in the same order whichever
/// path scores it (four-row block or the one-row tail), so equal rows always get equal scores.
/// </summary>
internal static class RowDots
{
    /// <summary>scores[i] = dot(query, matrix row (first + i)) for i in [0, scores.Length); rows have query.Length values.</summary>
    public static void Compute(ReadOnlySpan<float> query, float[] matrix, int first, Span<float> scores)
    {
        int dim = query.Length, count = scores.Length;
        if (dim % Vector256<float>.Count != 0 || !Vector256.IsHardwareAccelerated)
        {
            for (int r = 0; r < count; r++)
                scores[r] = TensorPrimitives.Dot(query, new ReadOnlySpan<float>(matrix, (first + r) * dim, dim));
            return;
        }

        ref float q = ref MemoryMarshal.GetReference(query);
        ref float m = ref MemoryMarshal.GetArrayDataReference(matrix);
        nuint step = (nuint)dim;
        nuint row = (nuint)first * step;
        int i = 0;
        for (; i + 4 <= count; i += 4, row += 4 * step)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (nuint j = 0; j < step; j += (nuint)Vector256<float>.Count)
            {
                var qv = Vector256.LoadUnsafe(ref q, j);
                a0 = MultiplyAdd(Vector256.LoadUnsafe(ref m, row + j), qv, a0);
                a1 = MultiplyAdd(Vector256.LoadUnsafe(ref m, row + step + j), qv, a1);
                a2 = MultiplyAdd(Vector256.LoadUnsafe(ref m, row + 2 * step + j), qv, a2);
                a3 = MultiplyAdd(Vector256.LoadUnsafe(ref m, row + 3 * step + j), qv, a3);
            }
            scores[i] = Vector256.Sum(a0);
            scores[i + 1] = Vector256.Sum(a1);
            scores[i + 2] = Vector256.Sum(a2);
            scores[i + 3] = Vector256.Sum(a3);
        }
        for (; i < count; i++, row += step)
        {
            Vector256<float> a = default;
            for (nuint j = 0; j < step; j += (nuint)Vector256<float>.Count)
                a = MultiplyAdd(Vector256.LoadUnsafe(ref m, row + j), Vector256.LoadUnsafe(ref q, j), a);
            scores[i] = Vector256.Sum(a);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Vector256.MultiplyAddEstimate(a, b, c);   // one fused instruction where the CPU has FMA, multiply then add elsewhere
}
