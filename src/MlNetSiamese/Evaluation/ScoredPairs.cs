namespace MlNetSiamese.Evaluation;

/// <summary>Pairs of items (by row), whether each is a positive (same-class) pair, and its cosine similarity.</summary>
/// <param name="First">Row of the first item of each pair.</param>
/// <param name="Second">Row of the second item of each pair.</param>
/// <param name="IsPositive">True for same-class pairs.</param>
/// <param name="Scores">Cosine similarity of each pair.</param>
/// <param name="Protocol">How the pairs were formed.</param>
/// <param name="Seed">The seed of balanced sampling (null for all pairs).</param>
public sealed record ScoredPairs(int[] First, int[] Second, bool[] IsPositive, float[] Scores, PairSampling Protocol, int? Seed = null);
