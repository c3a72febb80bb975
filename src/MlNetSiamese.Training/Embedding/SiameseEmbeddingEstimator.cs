using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetSiamese.Embedding;
using MlNetSiamese.Training;

namespace MlNetSiamese;

/// <summary>
/// Trains a Siamese encoder with triplet loss on the rows of an IDataView (features + label) and returns a
/// <see cref="SiameseEmbeddingTransformer"/>. Created by <c>mlContext.Transforms.SiameseEmbed(...)</c>.
/// </summary>
public sealed class SiameseEmbeddingEstimator : IEstimator<SiameseEmbeddingTransformer>
{
    private readonly IHost host;
    private readonly SiameseEmbeddingOptions options;

    internal SiameseEmbeddingEstimator(IHostEnvironment env, SiameseEmbeddingOptions options)
    {
        host = env.Register(nameof(SiameseEmbeddingEstimator));
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
    }

    /// <summary>The options this estimator trains with.</summary>
    public SiameseEmbeddingOptions Options => options;

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        options.Validate();
        EmbeddingSchema.CheckInputShape(inputSchema, options.InputColumnName);
        EmbeddingSchema.CheckLabelShape(inputSchema, options.LabelColumnName);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[options.OutputColumnName] = new SchemaShape.Column(options.OutputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }

    /// <inheritdoc />
    public SiameseEmbeddingTransformer Fit(IDataView input)
    {
        options.Validate();
        int expected = options.ImageChannels * options.ImageHeight * options.ImageWidth;
        var set = TrainingDataReader.Read(input, options.InputColumnName, options.LabelColumnName, expected, options.CancellationToken);
        using var channel = host.Start("Training");
        var o = options.Objective;
        channel.Info($"SiameseEmbed: {set.Count} rows, {set.ClassCount} classes, {set.RowSize} features per row; mining {o.Mining}, distance {o.Distance}, loss {o.Loss}, margin {o.Margin}");
        var history = new List<TrainingProgress>();
        var run = new TrainingRun
        {
            CheckpointPath = options.CheckpointPath, Resume = options.ResumeFromCheckpoint, CancellationToken = options.CancellationToken,
            Progress = new Progress(options.Progress, history), Log = message => channel.Info(message),
            PretrainedDirectory = options.Encoder.PretrainedDirectory,
        };
        var trainer = new SiameseTrainer(options.ToEncoderConfig(set.RowSize), o, options.Training, run);
        var encoder = trainer.Train(set);
        history.InsertRange(0, trainer.ResumedHistory);
        return new SiameseEmbeddingTransformer(encoder, new[] { new InputOutputColumnPair(options.OutputColumnName, options.InputColumnName) }, options.Inference.BatchSize, history);
    }

    /// <summary>Forwards reports to the user's progress synchronously and keeps the epoch reports as history.</summary>
    private sealed class Progress(IProgress<TrainingProgress>? user, List<TrainingProgress> history) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.EpochCompleted) history.Add(value);
            user?.Report(value);
        }
    }
}
