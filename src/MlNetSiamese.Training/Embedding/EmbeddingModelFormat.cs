using Microsoft.ML;
using Microsoft.ML.Runtime;
using MlNetSiamese.Persistence;
using MlNetSiamese.Encoders;
using MlNetSiamese.Torch;

[assembly: LoadableClass(typeof(MlNetSiamese.SiameseEmbeddingTransformer), typeof(MlNetSiamese.Embedding.EmbeddingModelFormat), null,
    typeof(SignatureLoadModel), "Siamese Embedding Transformer", MlNetSiamese.Embedding.EmbeddingModelFormat.LoaderSignature)]

namespace MlNetSiamese.Embedding;

/// <summary>
/// How a <see cref="SiameseEmbeddingTransformer"/> is stored inside ML.NET's model zip: a versioned main stream
/// (column pairs, batch size) plus the encoder as two streams of its own, <c>EncoderConfig.json</c> and
/// <c>ModuleWeights.bin</c>.
/// </summary>
internal static class EmbeddingModelFormat
{
    public const string LoaderSignature = "MlNetSiameseEmbedding";

    // 0x00010001: first version (column pairs, batch size, EncoderConfig.json, ModuleWeights.bin).
    // 0x00010002: EncoderConfig.json may say FastConvNet or TestTimeFlip, which a 1.1 reader would reject or, for the
    //             flip, silently ignore; the stream layout is unchanged, so 1.1 streams still load (TestTimeFlip false).
    // 0x00010003: EncoderConfig.json may say TestTimeShift, which a 1.2 reader would silently ignore; layout unchanged.
    // 0x00010004: EncoderConfig.json may say WhitenedStem, which a 1.3 reader would ignore, building another network
    //             than the weights'; layout unchanged.
    private static VersionInfo Version() => ModelVersion.Of("SIAMEMBD", LoaderSignature, written: 0x00010004, readableBackTo: 0x00010001,
        loader: typeof(EmbeddingModelFormat).Assembly);

    public static void Save(ModelSaveContext ctx, SiameseEmbeddingTransformer transformer)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(Version());
        ctx.Writer.Write(transformer.InferenceBatchSize);
        ctx.Writer.Write(transformer.Columns.Count);
        foreach (var c in transformer.Columns)
        {
            ctx.SaveNonEmptyString(c.OutputColumnName);
            ctx.SaveNonEmptyString(c.InputColumnName);
        }
        EncoderStreams.Save(ctx, transformer.EncoderModel);
    }

    // Found by ML.NET through the LoadableClass attribute above.
    private static SiameseEmbeddingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(Version());
        int batchSize = ctx.Reader.ReadInt32();
        int count = ctx.Reader.ReadInt32();
        if (batchSize < 1 || count < 1 || count > 1024)
            throw new InvalidDataException($"Siamese embedding model: batch size {batchSize} and column count {count} are out of range; the model is damaged.");
        var pairs = new InputOutputColumnPair[count];
        for (int i = 0; i < count; i++)
        {
            string output = ctx.LoadNonEmptyString();
            pairs[i] = new InputOutputColumnPair(output, ctx.LoadNonEmptyString());
        }
        var encoder = EncoderStreams.Load(ctx);
        return new SiameseEmbeddingTransformer(encoder, pairs, batchSize);
    }
}

/// <summary>An encoder as two streams beside a model's main stream: its configuration (JSON) and its weights.</summary>
internal static class EncoderStreams
{
    public const string ConfigStream = "EncoderConfig.json", WeightsStream = "ModuleWeights.bin";

    public static void Save(ModelSaveContext ctx, Encoder encoder)
    {
        ctx.SaveTextStream(ConfigStream, w => w.Write(encoder.Config.ToJson()));
        ctx.SaveBinaryStream(WeightsStream, w => ModuleWeights.Write(w.BaseStream, encoder.Network));
    }

    public static Encoder Load(ModelLoadContext ctx)
    {
        string? json = null;
        if (!ctx.TryLoadTextStream(ConfigStream, r => json = ReadLimited(r, 1 << 16)) || json == null)
            throw new InvalidDataException($"Siamese model: the stream '{ConfigStream}' is missing from the model file.");
        var config = EncoderConfig.FromJson(json);
        var encoder = new Encoder(config);
        try
        {
            if (!ctx.TryLoadBinaryStream(WeightsStream, r => ModuleWeights.Read(r.BaseStream, encoder.Network, $"Siamese model stream '{WeightsStream}'")))
                throw new InvalidDataException($"Siamese model: the stream '{WeightsStream}' is missing from the model file.");
            encoder.Network.eval();
            return encoder;
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    private static string ReadLimited(TextReader reader, int limit)
    {
        var buffer = new char[limit + 1];
        int total = 0, read;
        while (total <= limit && (read = reader.Read(buffer, total, buffer.Length - total)) > 0) total += read;
        if (total > limit) throw new InvalidDataException($"Siamese model: '{ConfigStream}' is longer than {limit} characters.");
        return new string(buffer, 0, total);
    }
}
