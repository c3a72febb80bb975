using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Embedding;
using MlNetSiamese.Encoders;
using MlNetSiamese.Pipeline;

namespace MlNetSiamese;

/// <summary>
/// A fitted Siamese encoder as an ML.NET transformer: appends an L2-normalised embedding column for each
/// (input, output) column pair, all with the same weights. <see cref="Transform"/> is lazy and runs the encoder
/// on batches of rows; the transformer is immutable and safe to use from several cursors at once.
/// Saved and loaded with <c>mlContext.Model.Save</c> / <c>Load</c>.
/// </summary>
public sealed class SiameseEmbeddingTransformer : ITransformer
{
    /// <summary>The trained encoder, as saved.</summary>
    internal Encoder EncoderModel { get; }
    /// <summary>What <see cref="Transform"/> runs: the same encoder with its batch norms folded.</summary>
    internal Encoder InferenceModel { get; }
    private readonly InputOutputColumnPair[] columns;

    internal SiameseEmbeddingTransformer(Encoder encoder, IEnumerable<InputOutputColumnPair> columns, int inferenceBatchSize, IReadOnlyList<TrainingProgress>? history = null)
        : this(encoder, encoder.ForInference(), columns, inferenceBatchSize, history)
    {
    }

    private SiameseEmbeddingTransformer(Encoder encoder, Encoder inference, IEnumerable<InputOutputColumnPair> columns, int inferenceBatchSize, IReadOnlyList<TrainingProgress>? history)
    {
        EncoderModel = encoder;
        InferenceModel = inference;
        this.columns = columns.ToArray();
        if (this.columns.Length == 0) throw new ArgumentException("At least one (input, output) column pair is needed.", nameof(columns));
        if (inferenceBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(inferenceBatchSize), inferenceBatchSize, "InferenceBatchSize must be >= 1.");
        InferenceBatchSize = inferenceBatchSize;
        History = history ?? Array.Empty<TrainingProgress>();
    }

    /// <summary>The encoder's configuration (kind, input shape, widths, embedding dimension).</summary>
    public EncoderConfig Encoder => EncoderModel.Config;
    /// <summary>The (input, output) column pairs this transformer embeds.</summary>
    public IReadOnlyList<InputOutputColumnPair> Columns => columns;
    /// <summary>Length of the embeddings.</summary>
    public int EmbeddingDimension => EncoderModel.Config.EmbeddingDimension;
    /// <summary>Rows per encoder call inside a cursor.</summary>
    public int InferenceBatchSize { get; }
    /// <summary>Per-epoch reports of the training run that produced this transformer (empty after loading).</summary>
    public IReadOnlyList<TrainingProgress> History { get; }

    /// <summary>
    /// The columns this transformer reads and nothing else: each input column as a vector of
    /// <see cref="EncoderConfig.InputSize"/> floats. Save a model for serving with it,
    /// <c>ml.Model.Save(model, model.InputSchema, "model.zip")</c>, so that the zip records images (or feature vectors)
    /// as its only input: the label is read by training alone.
    /// </summary>
    public DataViewSchema InputSchema
    {
        get
        {
            var builder = new DataViewSchema.Builder();
            var type = new VectorDataViewType(NumberDataViewType.Single, EncoderModel.Config.InputSize);
            foreach (var name in columns.Select(c => c.InputColumnName).Distinct(StringComparer.Ordinal)) builder.AddColumn(name, type);
            return builder.ToSchema();
        }
    }

    /// <summary>
    /// The same encoder (shared weights, no copy) applied to other columns, e.g. ("EmbeddingA", "ImageA") and
    /// ("EmbeddingB", "ImageB") for a table of pairs.
    /// </summary>
    public SiameseEmbeddingTransformer WithColumns(params InputOutputColumnPair[] pairs) => new(EncoderModel, InferenceModel, pairs, InferenceBatchSize, null);

    /// <summary>
    /// The same architecture, columns and inference settings with freshly initialised weights drawn from
    /// <paramref name="seed"/>, never trained: the baseline that shows what training bought.
    /// </summary>
    public SiameseEmbeddingTransformer Untrained(int seed)
    {
        using var init = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        var encoder = new Encoder(EncoderModel.Config, EncoderModel.Device, init);
        encoder.Network.eval();
        return new SiameseEmbeddingTransformer(encoder, columns, InferenceBatchSize);
    }

    /// <summary>
    /// Writes the encoder as a standard ONNX model (opset 17; batch norms folded, the test-time flip if the model uses
    /// it, L2 normalisation included) whose input and output are named after the first column pair, with a dynamic
    /// batch dimension; written atomically. ONNX Runtime, and ML.NET's <c>ApplyOnnxModel</c> on it, then embed
    /// without libtorch.
    /// </summary>
    public void ExportToOnnx(string path) => MlNetSiamese.Export.OnnxExport.Save(EncoderModel, columns[0].InputColumnName, columns[0].OutputColumnName, path);

    /// <summary>
    /// This model as <c>Microsoft.Extensions.AI</c>'s <c>IEmbeddingGenerator&lt;float[], Embedding&lt;float&gt;&gt;</c>,
    /// with its first column pair's names and sizes; thread-safe, batched by <paramref name="batchSize"/>.
    /// </summary>
    public SiameseEmbeddingGenerator AsEmbeddingGenerator(MLContext ml, int batchSize = 256) =>
        new(ml, this, Encoder.InputSize, EmbeddingDimension, columns[0].InputColumnName, columns[0].OutputColumnName, batchSize,
            $"{Encoder.Kind} {string.Join("-", Encoder.Widths)}");

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => AppendedSchema.Build(inputSchema, Bind(inputSchema).AddedColumns);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new AppendedColumnsRowMapper(Bind(inputSchema));

    /// <inheritdoc />
    public IDataView Transform(IDataView input) => new AppendedColumnsDataView(input, Bind(input.Schema));

    private EmbeddingAppender Bind(DataViewSchema schema) => new(InferenceModel, columns, schema, InferenceBatchSize);

    void ICanSaveModel.Save(ModelSaveContext ctx) => EmbeddingModelFormat.Save(ctx, this);
}
