using Microsoft.ML;
using Microsoft.ML.Runtime;
using MlNetSiamese.Persistence;

[assembly: LoadableClass(typeof(MlNetSiamese.NeighborSearchTransformer), typeof(MlNetSiamese.Search.NeighborSearchModelFormat), null,
    typeof(SignatureLoadModel), "Neighbor Search Transformer", MlNetSiamese.Search.NeighborSearchModelFormat.LoaderSignature)]

namespace MlNetSiamese.Search;

/// <summary>How a <see cref="NeighborSearchTransformer"/> is stored: column names and k, and the index as its own checksummed stream.</summary>
internal static class NeighborSearchModelFormat
{
    public const string LoaderSignature = "MlNetSiameseNeighbors";
    private const string IndexStream = "CosineIndex.bin";

    // 0x00010001: first version (embedding, ids, scores column names; k; CosineIndex.bin).
    private static VersionInfo Version() => ModelVersion.Of("SIAMNBRS", LoaderSignature);

    public static void Save(ModelSaveContext ctx, NeighborSearchTransformer t)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(Version());
        ctx.SaveNonEmptyString(t.EmbeddingColumnName);
        ctx.SaveNonEmptyString(t.IdsColumnName);
        ctx.SaveNonEmptyString(t.ScoresColumnName);
        ctx.Writer.Write(t.K);
        ctx.SaveBinaryStream(IndexStream, w => t.Index.Save(w.BaseStream));
    }

    private static NeighborSearchTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(Version());
        string embedding = ctx.LoadNonEmptyString(), ids = ctx.LoadNonEmptyString(), scores = ctx.LoadNonEmptyString();
        int k = ctx.Reader.ReadInt32();
        if (k < 1 || k > 1_000_000) throw new InvalidDataException($"Neighbor search model: k = {k} is out of range; the model is damaged.");
        CosineIndex? index = null;
        if (!ctx.TryLoadBinaryStream(IndexStream, r => index = CosineIndex.Load(r.BaseStream, $"model stream '{IndexStream}'")) || index == null)
            throw new InvalidDataException($"Neighbor search model: the stream '{IndexStream}' is missing from the model file.");
        return new NeighborSearchTransformer(index, embedding, k, ids, scores);
    }
}
