using System.Text.Json;

namespace MlNetSiamese.Cli;

/// <summary>
/// A saved gallery: the exact cosine index (<see cref="CosineIndex"/>'s checksummed file) and beside it
/// <c>FILE.json</c> with what the index cannot hold: the SHA-256 of the model.zip that embedded it, and each item's
/// label and source. <c>search --index</c> reuses it instead of embedding the gallery again, and refuses it for another model.
/// </summary>
public static class GalleryIndex
{
    private sealed record Sidecar(string Model, string ModelSha256, int Dimension, string[] Labels, string[] Sources);

    public static string SidecarPath(string indexPath) => indexPath + ".json";

    public static void Save(string indexPath, EmbeddedImages images, string modelPath)
    {
        var index = new CosineIndex(images.Dimension);
        index.Add(Enumerable.Range(0, images.Count).Select(i => (long)i).ToArray(), images.Embeddings);
        index.Save(indexPath);
        var sidecar = new Sidecar(Path.GetFullPath(modelPath), ModelFiles.Sha256(modelPath), images.Dimension, images.Labels.ToArray(), images.Names.ToArray());
        string tmp = SidecarPath(indexPath) + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(sidecar));
        File.Move(tmp, SidecarPath(indexPath), overwrite: true);
    }

    /// <summary>The index and its items' labels and sources, after checking it was made by <paramref name="modelPath"/>.</summary>
    public static (CosineIndex Index, string[] Labels, string[] Sources) Load(string indexPath, string modelPath)
    {
        if (!File.Exists(indexPath)) throw new UsageException($"--index '{indexPath}' does not exist; write one with 'mlnet-siamese embed' or 'search --save-index'.");
        string sidecarPath = SidecarPath(indexPath);
        if (!File.Exists(sidecarPath))
            throw new UsageException($"--index '{indexPath}' has no '{sidecarPath}' beside it (which model made it, and its items' labels); write the index again with 'mlnet-siamese embed'.");
        Sidecar sidecar;
        try { sidecar = JsonSerializer.Deserialize<Sidecar>(File.ReadAllText(sidecarPath)) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new RunException($"'{sidecarPath}' is damaged ({e.Message}); write the index again with 'mlnet-siamese embed'.", e); }
        string hash = ModelFiles.Sha256(modelPath);
        if (!string.Equals(hash, sidecar.ModelSha256, StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--index '{indexPath}' was made by another model ('{sidecar.Model}', SHA-256 {sidecar.ModelSha256[..12]}...), not '{modelPath}' " +
                                     $"({hash[..12]}...): its embeddings do not compare with this model's. Embed the gallery again with this model.");
        var index = CosineIndex.Load(indexPath);
        if (index.Count != sidecar.Labels.Length || index.Dimension != sidecar.Dimension)
            throw new RunException($"'{indexPath}' holds {index.Count} x {index.Dimension} but '{sidecarPath}' describes {sidecar.Labels.Length} x {sidecar.Dimension}; write both again.");
        return (index, sidecar.Labels, sidecar.Sources);
    }

}
