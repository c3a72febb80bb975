namespace SimilarityService.Model;

/// <summary>
/// What the watcher compares between polls: size and modification time of the model file and of calibration.json
/// beside it. A new file renamed over the old one (how <c>mlnet-siamese train</c> writes model.zip) and a copy
/// over it in place both change it; the model's id (its hash) then says whether the content is really new.
/// </summary>
public readonly record struct FileStamp(long ModelLength, DateTime ModelWritten, long CalibrationLength, DateTime CalibrationWritten)
{
    /// <summary>The stamp now; <see cref="ModelLength"/> -1 when the model file is missing.</summary>
    public static FileStamp Of(string modelPath)
    {
        var model = new FileInfo(modelPath);
        var calibration = new FileInfo(Calibration.PathBeside(modelPath));
        return new FileStamp(model.Exists ? model.Length : -1, model.Exists ? model.LastWriteTimeUtc : default,
            calibration.Exists ? calibration.Length : -1, calibration.Exists ? calibration.LastWriteTimeUtc : default);
    }

    public bool ModelMissing => ModelLength < 0;
}
