using MlNetSiamese.Encoders;
using MlNetSiamese.Evaluation;

namespace MlNetSiamese.Training;

/// <summary>The score that picks the best epoch: leave-one-out precision@1 by cosine on the validation split (<see cref="RetrievalEvaluator"/>).</summary>
internal static class ValidationScore
{
    private const int Chunk = 256;

    public static double PrecisionAt1(Encoder encoder, TrainingSet set)
    {
        encoder.Network.eval();
        int d = encoder.Config.EmbeddingDimension, n = set.Count;
        var embeddings = new float[(long)n * d];
        for (int start = 0; start < n; start += Chunk)
        {
            int rows = Math.Min(Chunk, n - start);
            encoder.Embed(set.Features.AsSpan(start * set.RowSize, rows * set.RowSize), rows, embeddings.AsSpan(start * d, rows * d));
        }
        return RetrievalEvaluator.EvaluateLeaveOneOut(embeddings, d, set.Labels).PrecisionAt1;
    }
}
