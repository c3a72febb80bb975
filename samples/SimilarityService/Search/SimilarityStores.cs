namespace SimilarityService.Search;

/// <summary>The store the settings ask for.</summary>
public static class SimilarityStores
{
    public static ISimilarityStore Create(ServiceSettings settings) =>
        string.IsNullOrWhiteSpace(settings.StoreConnectionString)
            ? new NoStore()
            : throw new InvalidOperationException("Similarity:StoreConnectionString is set, but this build has no PostgreSQL store yet.");
}
