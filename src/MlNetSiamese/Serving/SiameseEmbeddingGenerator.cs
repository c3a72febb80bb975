using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese;

/// <summary>
/// A fitted embedding model as .NET's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>, which vector-store code
/// consumes: feature vectors in (an image's planar CHW pixels in 0..1, or a plain vector), L2-normalised embeddings
/// out. It wraps any ML.NET transformer that maps a fixed-size float vector column to an embedding column: this
/// library's <c>SiameseEmbeddingTransformer</c> (MlNetSiamese.Training, its <c>AsEmbeddingGenerator</c>) (TorchSharp), or ML.NET's <c>ApplyOnnxModel</c> over a file from
/// <c>SiameseEmbeddingTransformer.ExportToOnnx</c> (ONNX Runtime, no libtorch). Safe to call from many threads
/// at once (the transformers are); each call runs in batches, checks its inputs first and honours cancellation between batches.
/// </summary>
public sealed class SiameseEmbeddingGenerator : IEmbeddingGenerator<float[], Embedding<float>>
{
    private readonly MLContext ml;
    private readonly ITransformer model;
    private readonly SchemaDefinition schema;
    private readonly string input, output;
    private readonly int inputSize, batchSize;
    private readonly EmbeddingGeneratorMetadata metadata;

    /// <param name="ml">The context the model was loaded with.</param>
    /// <param name="model">Maps <paramref name="inputColumnName"/> (floats) to <paramref name="outputColumnName"/> (the embedding).</param>
    /// <param name="inputSize">Values per input vector.</param>
    /// <param name="embeddingDimension">Values per embedding.</param>
    /// <param name="inputColumnName">The model's input column.</param>
    /// <param name="outputColumnName">The model's embedding column.</param>
    /// <param name="batchSize">Inputs per transform call.</param>
    /// <param name="modelId">The model's name in <see cref="EmbeddingGeneratorMetadata"/>.</param>
    public SiameseEmbeddingGenerator(MLContext ml, ITransformer model, int inputSize, int embeddingDimension, string inputColumnName = "Features",
        string outputColumnName = "Embedding", int batchSize = 256, string? modelId = null)
    {
        this.ml = ml ?? throw new ArgumentNullException(nameof(ml));
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        if (inputSize < 1) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "inputSize must be at least 1.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        (this.inputSize, this.batchSize, input, output) = (inputSize, batchSize, inputColumnName, outputColumnName);
        schema = SchemaDefinition.Create(typeof(Row));
        schema[0].ColumnName = inputColumnName;
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, inputSize);
        var outputs = model.GetOutputSchema(ml.Data.LoadFromEnumerable(Array.Empty<Row>(), schema).Schema);
        if (outputs.GetColumnOrNull(outputColumnName) is not { Type: VectorDataViewType { ItemType: var item, Size: var size } } || item != NumberDataViewType.Single || size != embeddingDimension)
            throw new ArgumentException($"The model does not produce column '{outputColumnName}' as a vector of {embeddingDimension} floats from '{inputColumnName}'.", nameof(model));
        metadata = new EmbeddingGeneratorMetadata("MlNetSiamese", null, modelId, embeddingDimension);
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<float[]> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var rows = values.ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i] is null || rows[i].Length != inputSize)
                throw new ArgumentException($"Input {i} for column '{input}' has {rows[i]?.Length ?? 0} values; the model takes {inputSize}.", nameof(values));
            int bad = Array.FindIndex(rows[i], v => !float.IsFinite(v));
            if (bad >= 0)
                throw new ArgumentException($"Input {i} for column '{input}': value {bad} is {rows[i][bad].ToString(CultureInfo.InvariantCulture)}; expected finite numbers.", nameof(values));
        }
        var result = new GeneratedEmbeddings<Embedding<float>>(rows.Count);
        for (int start = 0; start < rows.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = rows.Skip(start).Take(batchSize).Select(v => new Row { Features = v });
            var embedded = model.Transform(ml.Data.LoadFromEnumerable(batch, schema));
            foreach (var e in embedded.GetColumn<float[]>(output)) result.Add(new Embedding<float>(e) { ModelId = metadata.DefaultModelId });
        }
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? metadata
        : serviceType.IsInstanceOfType(this) ? this : null;

    /// <summary>Nothing to release: the model belongs to the caller.</summary>
    public void Dispose() { }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }
}
