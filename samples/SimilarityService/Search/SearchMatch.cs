namespace SimilarityService.Search;

/// <summary>One stored item found by /search: its id, cosine similarity to the query, and what was stored with it.</summary>
public sealed record SearchMatch(string Id, float Similarity, string? Label, string? Metadata);
