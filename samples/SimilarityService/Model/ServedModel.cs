using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese;

namespace SimilarityService.Model;

/// <summary>
/// One loaded model, immutable: its id (SHA-256 of the model file's bytes), the embedding step, the match threshold,
/// and pooled PredictionEngines. A request takes the current one at its start and finishes on it, whatever a reload
/// swaps in meanwhile.
/// </summary>
public sealed class ServedModel
{
    private readonly ObjectPool<PredictionEngine<PixelRow, EmbeddingRow>> engines;
    private readonly SiameseEmbeddingGenerator batches;
    private readonly ImageDecoder? decoder;
    private readonly int torchThreads;

    public ServedModel(MLContext ml, SiameseEmbeddingTransformer embedder, string id, string path, float? threshold, FileStamp stamp = default, int torchThreads = 0)
    {
        this.torchThreads = torchThreads;
        Stamp = stamp;
        Embedder = embedder;
        Id = id;
        Path = path;
        Threshold = threshold;
        LoadedAt = DateTimeOffset.UtcNow;
        var encoder = embedder.Encoder;
        var (input, output) = (embedder.Columns[0].InputColumnName, embedder.Columns[0].OutputColumnName);
        var inputSchema = SchemaDefinition.Create(typeof(PixelRow));
        inputSchema[0].ColumnName = input;
        inputSchema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, InputSize);
        var outputSchema = SchemaDefinition.Create(typeof(EmbeddingRow));
        outputSchema[0].ColumnName = output;
        outputSchema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Dimension);
        engines = new DefaultObjectPool<PredictionEngine<PixelRow, EmbeddingRow>>(
            new EnginePolicy<PixelRow, EmbeddingRow>(() => ml.Model.CreatePredictionEngine<PixelRow, EmbeddingRow>(embedder, inputSchemaDefinition: inputSchema, outputSchemaDefinition: outputSchema)),
            Environment.ProcessorCount * 2);
        batches = embedder.AsEmbeddingGenerator(ml);
        if (encoder.IsImage) decoder = new ImageDecoder(ml, encoder.Channels, encoder.Height, encoder.Width);
    }

    /// <summary>Lower-case hexadecimal SHA-256 of the model file, the same id the store records.</summary>
    public string Id { get; }
    public string Path { get; }
    /// <summary>The model file's (and calibration.json's) size and time when it was read: the watcher's starting point.</summary>
    public FileStamp Stamp { get; }
    public DateTimeOffset LoadedAt { get; }
    public SiameseEmbeddingTransformer Embedder { get; }
    /// <summary>The calibrated match threshold from calibration.json, if any.</summary>
    public float? Threshold { get; }
    public int Dimension => Embedder.EmbeddingDimension;
    public int InputSize => Embedder.Encoder.InputSize;
    public bool IsImage => Embedder.Encoder.IsImage;
    public EncoderConfig Encoder => Embedder.Encoder;

    /// <summary>What the model takes, in words for error messages.</summary>
    public string InputDescription => IsImage
        ? $"{InputSize} values: {Encoder.Channels} x {Encoder.Height} x {Encoder.Width} planar CHW pixels in [0, 1]"
        : $"{InputSize} finite values (a feature vector)";

    /// <summary>One input through a pooled PredictionEngine (the row path).</summary>
    public float[] Embed(float[] input)
    {
        RequestThreads.Apply(torchThreads);
        var engine = engines.Get();
        try { return engine.Predict(new PixelRow { Features = input }).Embedding; }
        finally { engines.Return(engine); }
    }

    /// <summary>Two inputs embedded as one batch of two rows (the batched Transform).</summary>
    public async Task<(float[] A, float[] B)> EmbedPairAsync(float[] a, float[] b, CancellationToken ct)
    {
        RequestThreads.Apply(torchThreads);
        var both = await batches.GenerateAsync([a, b], cancellationToken: ct);
        return (both[0].Vector.ToArray(), both[1].Vector.ToArray());
    }

    /// <summary>Image bytes to the model's input; only for image models.</summary>
    public float[] Decode(byte[] image) => (decoder ?? throw new InvalidOperationException("This model embeds feature vectors, not images.")).Decode(image);

    /// <summary>
    /// The check a model passes before it is served: a mid-grey input through the row path and the batched path gives
    /// the same finite, unit-length embedding of the model's dimension.
    /// </summary>
    public void Probe()
    {
        var input = Enumerable.Repeat(0.5f, InputSize).ToArray();
        var one = Embed(input);
        var (batched, _) = EmbedPairAsync(input, input, CancellationToken.None).GetAwaiter().GetResult();
        if (one.Length != Dimension || batched.Length != Dimension)
            throw new ModelLoadException($"'{Path}': the probe input gave {one.Length} values; the model says its embeddings have {Dimension}.");
        double norm = Math.Sqrt(one.Sum(v => (double)v * v));
        if (!one.All(float.IsFinite) || Math.Abs(norm - 1) > 1e-3)
            throw new ModelLoadException($"'{Path}': the probe input gave an embedding of length {norm:G4} (or not finite); expected unit length.");
        float diff = one.Zip(batched).Max(p => Math.Abs(p.First - p.Second));
        if (diff > 1e-4f)
            throw new ModelLoadException($"'{Path}': the probe input's embedding differs by {diff:G3} between one row and a batch; expected within 1e-4.");
    }
}
