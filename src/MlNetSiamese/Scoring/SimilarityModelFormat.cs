using Microsoft.ML;
using Microsoft.ML.Runtime;
using MlNetSiamese.Persistence;

[assembly: LoadableClass(typeof(MlNetSiamese.CosineSimilarityTransformer), typeof(MlNetSiamese.Scoring.SimilarityModelFormat), null,
    typeof(SignatureLoadModel), "Cosine Similarity Transformer", MlNetSiamese.Scoring.SimilarityModelFormat.LoaderSignature)]

namespace MlNetSiamese.Scoring;

/// <summary>How a <see cref="CosineSimilarityTransformer"/> is stored: its column names and optional threshold.</summary>
internal static class SimilarityModelFormat
{
    public const string LoaderSignature = "MlNetSiameseCosineSim";

    // 0x00010001: first version (output, left, right, has-threshold, threshold, is-match column).
    private static VersionInfo Version() => ModelVersion.Of("SIAMCOSN", LoaderSignature);

    public static void Save(ModelSaveContext ctx, CosineSimilarityTransformer t)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(Version());
        ctx.SaveNonEmptyString(t.OutputColumnName);
        ctx.SaveNonEmptyString(t.LeftColumnName);
        ctx.SaveNonEmptyString(t.RightColumnName);
        ctx.Writer.Write(t.Threshold.HasValue);
        ctx.Writer.Write(t.Threshold ?? 0f);
        ctx.SaveNonEmptyString(t.IsMatchColumnName);
    }

    private static CosineSimilarityTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(Version());
        string output = ctx.LoadNonEmptyString(), left = ctx.LoadNonEmptyString(), right = ctx.LoadNonEmptyString();
        bool has = ctx.Reader.ReadBoolean();
        float threshold = ctx.Reader.ReadSingle();
        string isMatch = ctx.LoadNonEmptyString();
        if (has && !(threshold >= -1 && threshold <= 1)) throw new InvalidDataException($"Cosine similarity model: threshold {threshold} is outside [-1, 1]; the model is damaged.");
        return new CosineSimilarityTransformer(output, left, right, has ? threshold : null, isMatch);
    }
}
