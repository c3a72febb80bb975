namespace SimilarityService.Search;

/// <summary>The store in /health: its name, whether it answered, whether it holds the served model's embeddings, and why not.</summary>
public sealed record StoreHealth(bool Configured, string? Name, bool Reachable, bool MatchesModel, long? Count, string? Error);
