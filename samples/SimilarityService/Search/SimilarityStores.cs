namespace SimilarityService.Search;

/// <summary>The store the settings ask for: PostgreSQL when Similarity:StoreConnectionString is set, else none.</summary>
public static class SimilarityStores
{
    public static ISimilarityStore Create(IServiceProvider services)
    {
        var settings = services.GetRequiredService<ServiceSettings>();
        return string.IsNullOrWhiteSpace(settings.StoreConnectionString)
            ? new NoStore()
            : new PostgresSimilarityStore(settings, services.GetRequiredService<ILogger<PostgresSimilarityStore>>());
    }
}
