using System.Numerics.Tensors;
using MlNetSiamese.Search;
using Xunit;

namespace MlNetSiamese.Tests.Search;

public class RowDotsTests
{
    [Theory]
    [InlineData(64, 0, 259)]   // four-row blocks plus a three-row tail
    [InlineData(64, 5, 4)]     // an offset start, one block
    [InlineData(8, 3, 11)]     // one vector per row
    [InlineData(12, 2, 9)]     // not a multiple of 8: the per-row fallback
    public void ScoresEqualPlainDotProducts(int dim, int first, int count)
    {
        var matrix = TestData.Gaussian(first + count + 3, dim, 7);
        var query = TestData.Gaussian(1, dim, 8);
        var scores = new float[count];
        RowDots.Compute(query, matrix, first, scores);
        for (int i = 0; i < count; i++)
        {
            float expected = TensorPrimitives.Dot(query, new ReadOnlySpan<float>(matrix, (first + i) * dim, dim));
            Assert.True(MathF.Abs(expected - scores[i]) <= 1e-5f * MathF.Max(1f, MathF.Abs(expected)),
                $"row {first + i}: {scores[i]} vs {expected}");
        }
    }

    [Fact]
    public void EqualRowsGetBitIdenticalScoresInBlockAndTail()
    {
        const int dim = 64, rows = 7;   // rows 0-3 are scored as a block, 4-6 one by one
        var row = TestData.Gaussian(1, dim, 3);
        var matrix = new float[rows * dim];
        for (int r = 0; r < rows; r++) row.CopyTo(matrix, r * dim);
        var scores = new float[rows];
        RowDots.Compute(TestData.Gaussian(1, dim, 4), matrix, 0, scores);
        Assert.All(scores, s => Assert.Equal(BitConverter.SingleToInt32Bits(scores[0]), BitConverter.SingleToInt32Bits(s)));
    }
}
