using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.Cli;

/// <summary>model.zip: atomic save, load with a clear message, and the embedding step inside the saved chain.</summary>
public static class ModelFiles
{
    public const string ModelFileName = "model.zip";
    public const string CalibrationFileName = "calibration.json";
    public const string CheckpointFileName = "checkpoint.bin";

    /// <summary>calibration.json next to <paramref name="modelPath"/>.</summary>
    public static string CalibrationPath(string modelPath) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, CalibrationFileName);

    /// <summary>
    /// The threshold in calibration.json next to the model and the share of "same" pairs its precision is for (0.5 in
    /// files written before it was recorded, which were calibrated on balanced pairs), or null when there is none.
    /// </summary>
    public static (float Threshold, double PositiveRate)? ReadCalibration(string modelPath)
    {
        string path = CalibrationPath(modelPath);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            double rate = doc.RootElement.TryGetProperty("PositiveRate", out var r) ? r.GetDouble() : 0.5;
            return (doc.RootElement.GetProperty("Threshold").GetSingle(), rate);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new RunException($"'{path}' is not a calibration file written by train or 'evaluate --calibrate' ({e.Message}). Delete it or write it again.", e);
        }
    }

    /// <summary>The training seed recorded in options.json next to <paramref name="modelPath"/>, or null without one.</summary>
    public static int? ReadTrainingSeed(string modelPath)
    {
        string path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, Output.ResultFiles.OptionsFileName);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.GetProperty("recipe").GetProperty("Training").GetProperty("Seed").GetInt32();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new RunException($"'{path}' is not the options.json that train writes ({e.Message}); it records the training seed that evaluation's split needs.", e);
        }
    }

    /// <summary>Saves to <c>path.tmp</c> then renames over <paramref name="path"/>; on failure the old file is untouched.</summary>
    public static void SaveAtomic(MLContext ml, ITransformer model, DataViewSchema schema, string path)
    {
        string tmp = path + ".tmp";
        try
        {
            ml.Model.Save(model, schema, tmp);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>The model's id: the SHA-256 of the model.zip file, upper-case hexadecimal (saved indexes and stores record it).</summary>
    public static string Sha256(string modelPath)
    {
        using var stream = File.OpenRead(modelPath);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream));
    }

    /// <summary>Accepts a model.zip path or the folder holding it.</summary>
    public static string Resolve(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, ModelFileName);
        if (!File.Exists(path))
            throw new UsageException($"Model file '{path}' does not exist. Pass --model with a model.zip written by 'mlnet-siamese train --out DIR' (or that folder).");
        return path;
    }

    public static (ITransformer Model, SiameseEmbeddingTransformer Embedder) Load(MLContext ml, string path)
    {
        path = Resolve(path);
        ITransformer model;
        // Zips saved before the package split name MlNetSiamese as the embedding's loader assembly; ML.NET then
        // looks for the loader there. Registering MlNetSiamese.Training lets them load as they did.
        ml.ComponentCatalog.RegisterAssembly(typeof(SiameseEmbeddingTransformer).Assembly);
        try
        {
            model = ml.Model.Load(path, out _);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // ML.NET wraps a loader's exception (TargetInvocationException, ...): the innermost one says what is wrong.
            var inner = e;
            while (inner.InnerException != null) inner = inner.InnerException;
            if (inner.StackTrace?.Contains("MlNetSiamese.") == true || inner is DllNotFoundException)
                throw new RunException($"'{path}' cannot be loaded: {inner.Message}", e);
            throw new RunException($"'{path}' is not a model saved by mlnet-siamese ({inner.GetType().Name}: {inner.Message}). " +
                                   "Train one with 'mlnet-siamese train --out DIR' and pass DIR/model.zip.", e);
        }
        var embedder = FindEmbedder(model)
            ?? throw new RunException($"'{path}' is an ML.NET model without a Siamese embedding step. Train one with 'mlnet-siamese train --out DIR'.");
        return (model, embedder);
    }

    public static SiameseEmbeddingTransformer? FindEmbedder(ITransformer model) => model switch
    {
        SiameseEmbeddingTransformer s => s,
        IEnumerable<ITransformer> chain => chain.Select(FindEmbedder).LastOrDefault(s => s != null),
        _ => null,
    };

    /// <summary>Reads the embedding column into a row-major array.</summary>
    public static float[] ReadEmbeddings(IDataView embedded, int dimension, string column = "Embedding")
    {
        var list = new List<float>();
        var col = embedded.Schema[column];
        using var cursor = embedded.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        var buffer = default(VBuffer<float>);
        var dense = new float[dimension];
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            buffer.CopyTo(dense);
            list.AddRange(dense);
        }
        return list.ToArray();
    }
}
