namespace SimilarityService.Endpoints;

/// <summary>Every refusal's body: the request field (or "store", "body") and what was wrong and expected.</summary>
public sealed record ErrorResponse(string Field, string Error);
