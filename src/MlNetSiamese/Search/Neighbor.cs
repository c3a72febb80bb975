namespace MlNetSiamese;

/// <summary>One search result: an item id and its cosine similarity to the query.</summary>
/// <param name="Id">The item's id.</param>
/// <param name="Score">Cosine similarity to the query.</param>
public readonly record struct Neighbor(long Id, float Score)
{
    /// <summary>True when this ranks before <paramref name="other"/>: higher score, or equal score and lower id.</summary>
    public bool RanksBefore(Neighbor other) => Score > other.Score || (Score == other.Score && Id < other.Id);
}
