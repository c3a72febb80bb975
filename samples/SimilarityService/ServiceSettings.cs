namespace SimilarityService;

/// <summary>
/// The service's settings: section <c>Similarity</c> of appsettings.json, or environment variables such as
/// <c>Similarity__ModelPath</c>, or command-line arguments such as <c>--Similarity:ModelPath=...</c>.
/// </summary>
public sealed class ServiceSettings
{
    public const string Section = "Similarity";

    /// <summary>The model.zip to serve (written by <c>mlnet-siamese train</c>); calibration.json beside it gives the match threshold.</summary>
    public string ModelPath { get; set; } = "model.zip";

    /// <summary>libtorch's intra-op threads; 1 (default) runs each request on its own thread, 0 keeps libtorch's default (one per core).</summary>
    public int TorchThreads { get; set; } = 1;

    /// <summary>How often the model file is checked for a new version, in milliseconds; 0 switches reloading off.</summary>
    public int ReloadPollMilliseconds { get; set; } = 2000;

    /// <summary>Largest request body accepted, in bytes (an upload of two images for /compare included).</summary>
    public long MaxRequestBytes { get; set; } = 8 << 20;

    /// <summary>Largest image accepted, in pixels (width x height), checked from the header before decoding.</summary>
    public long MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>Largest <c>k</c> a /search may ask for.</summary>
    public int MaxK { get; set; } = 100;

    /// <summary>PostgreSQL connection string of the pgvector store for /search; none: /search answers 503.</summary>
    public string? StoreConnectionString { get; set; }

    /// <summary>The store's table (written by <c>mlnet-siamese index</c>).</summary>
    public string StoreTable { get; set; } = "siamese_embeddings";

    /// <summary>The names of the settings that are out of range, each with what is expected; empty when all are fine.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ModelPath)) problems.Add($"{Section}:ModelPath is empty; expected the path of a model.zip written by 'mlnet-siamese train'.");
        if (TorchThreads < 0) problems.Add($"{Section}:TorchThreads is {TorchThreads}; expected 0 (libtorch's default) or a thread count of at least 1.");
        if (ReloadPollMilliseconds < 0) problems.Add($"{Section}:ReloadPollMilliseconds is {ReloadPollMilliseconds}; expected 0 (no reloading) or a period in milliseconds.");
        if (MaxRequestBytes < 1) problems.Add($"{Section}:MaxRequestBytes is {MaxRequestBytes}; expected at least 1.");
        if (MaxImagePixels < 1) problems.Add($"{Section}:MaxImagePixels is {MaxImagePixels}; expected at least 1.");
        if (MaxK < 1) problems.Add($"{Section}:MaxK is {MaxK}; expected at least 1.");
        if (string.IsNullOrWhiteSpace(StoreTable)) problems.Add($"{Section}:StoreTable is empty; expected a table name.");
        return problems;
    }
}
