namespace SimilarityService.Search;

/// <summary>
/// What a store answered: the matches, or why there are none: <see cref="Status"/> 409 when the store holds another
/// model's embeddings, 503 when there is no store or it cannot be reached; <see cref="Message"/> names the store.
/// </summary>
public sealed record SearchOutcome(IReadOnlyList<SearchMatch>? Matches, int Status = 200, string? Message = null)
{
    public static SearchOutcome Found(IReadOnlyList<SearchMatch> matches) => new(matches);
    public static SearchOutcome Problem(int status, string message) => new(null, status, message);
}
