namespace MlNetSiamese.Postgres;

/// <summary>One item of a <see cref="PostgresEmbeddingStore"/>: its id (the primary key), its embedding, and optionally
/// a label and metadata.</summary>
/// <param name="Id">Unique, non-empty id (the CLI uses the image's path relative to the indexed folder).</param>
/// <param name="Vector">The embedding: the store's dimension, finite, not all zero (cosine needs a direction).</param>
/// <param name="Label">A label such as the class folder's name, or null.</param>
/// <param name="Metadata">JSON text stored as <c>jsonb</c>, or null.</param>
public sealed record StoredEmbedding(string Id, float[] Vector, string? Label = null, string? Metadata = null);
