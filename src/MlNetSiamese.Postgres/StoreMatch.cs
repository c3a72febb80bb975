namespace MlNetSiamese.Postgres;

/// <summary>A neighbour found by <see cref="PostgresEmbeddingStore.SearchAsync"/>.</summary>
/// <param name="Id">The stored item's id.</param>
/// <param name="Similarity">Cosine similarity to the query, <c>1 - (embedding &lt;=&gt; query)</c>, in -1..1.</param>
/// <param name="Label">The stored label, or null.</param>
/// <param name="Metadata">The stored metadata as JSON text (PostgreSQL's jsonb rendering), or null.</param>
public sealed record StoreMatch(string Id, float Similarity, string? Label, string? Metadata);
