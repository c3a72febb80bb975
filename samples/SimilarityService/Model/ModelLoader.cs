using System.Security.Cryptography;
using Microsoft.ML;
using MlNetSiamese;

namespace SimilarityService.Model;

/// <summary>
/// Reads a model file once into memory, hashes those bytes (the model id) and loads the model from the same bytes, so
/// the id always belongs to the weights served even while the file is being replaced; then checks it with a probe.
/// </summary>
public static class ModelLoader
{
    /// <summary>Largest model file read.</summary>
    public const long MaxModelBytes = 2L << 30;

    /// <exception cref="ModelLoadException">The file is missing, unreadable, not an ML.NET model, has no Siamese embedding step, or fails the probe.</exception>
    /// <param name="path">The model file.</param>
    /// <param name="torchThreads">libtorch threads per request thread (0: libtorch's default).</param>
    public static ServedModel Load(string path, int torchThreads = 0)
    {
        path = System.IO.Path.GetFullPath(path);
        var stamp = FileStamp.Of(path);   // before reading: a change while reading shows as a newer stamp later
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > MaxModelBytes) throw new ModelLoadException($"Model file '{path}' is {stream.Length:N0} bytes; at most {MaxModelBytes:N0} are read.");
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(e is FileNotFoundException or DirectoryNotFoundException
                ? $"Model file '{path}' does not exist. Set Similarity:ModelPath (environment variable Similarity__ModelPath) to a model.zip written by 'mlnet-siamese train'."
                : $"Model file '{path}' cannot be read: {e.Message}", e);
        }
        string id = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var ml = new MLContext(seed: 0);
        // Zips saved before the package split name MlNetSiamese as the embedding's loader; this lets them load too.
        ml.ComponentCatalog.RegisterAssembly(typeof(SiameseEmbeddingTransformer).Assembly);
        ITransformer loaded;
        try
        {
            loaded = ml.Model.Load(new MemoryStream(bytes, writable: false), out _);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var inner = e;
            while (inner.InnerException != null) inner = inner.InnerException;
            throw new ModelLoadException($"Model file '{path}' ({bytes.Length:N0} bytes, SHA-256 {id[..12]}...) cannot be loaded: {inner.GetType().Name}: {inner.Message}", e);
        }
        var embedder = FindEmbedder(loaded)
            ?? throw new ModelLoadException($"Model file '{path}' is an ML.NET model without a Siamese embedding step; train one with 'mlnet-siamese train'.");
        var model = new ServedModel(ml, embedder, id, path, Calibration.Read(path), stamp, torchThreads);
        model.Probe();
        return model;
    }

    /// <summary>
    /// The embedding step the service runs: the model itself, or the last one in a chain. Zips saved before 2026-12-01
    /// start with MapValueToKey("Label"), which would ask clients for a label; only the embedding step is served.
    /// </summary>
    public static SiameseEmbeddingTransformer? FindEmbedder(ITransformer model) => model switch
    {
        SiameseEmbeddingTransformer s => s,
        IEnumerable<ITransformer> chain => chain.Select(FindEmbedder).LastOrDefault(s => s != null),
        _ => null,
    };
}
