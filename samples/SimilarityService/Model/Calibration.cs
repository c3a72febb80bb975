using System.Text.Json;

namespace SimilarityService.Model;

/// <summary>The match threshold in the calibration.json that <c>mlnet-siamese train</c> (or <c>evaluate --calibrate</c>) writes beside model.zip.</summary>
public static class Calibration
{
    public const string FileName = "calibration.json";

    public static string PathBeside(string modelPath) => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(modelPath))!, FileName);

    /// <summary>The threshold, or null when there is no calibration.json beside the model.</summary>
    public static float? Read(string modelPath)
    {
        string path = PathBeside(modelPath);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            float threshold = doc.RootElement.GetProperty("Threshold").GetSingle();
            if (!(threshold >= -1 && threshold <= 1)) throw new FormatException($"Threshold {threshold} is not a cosine similarity in [-1, 1]");
            return threshold;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            throw new ModelLoadException($"'{path}' is not a calibration file written by 'mlnet-siamese train' or 'evaluate --calibrate' ({e.Message}); " +
                                         "fix or delete it (without it /compare gives the similarity and no match decision).", e);
        }
    }
}
