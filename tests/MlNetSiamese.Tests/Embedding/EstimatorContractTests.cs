using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Tests.Support;
using Xunit;

namespace MlNetSiamese.Tests.Embedding;

/// <summary>The embedding estimator beyond the shared contract (<see cref="EstimatorContract"/>): batch sizes, parallel cursors, determinism, progress and cancellation, every image encoder.</summary>
public class EstimatorContractTests
{
    [Fact]
    public void EmbeddingsDoNotDependOnBatchSize()
    {
        var ml = new MLContext(1);
        var data = Synthetic.Load(ml, Synthetic.Clusters(4, 20, 12, 1));
        var embed = ((IEnumerable<ITransformer>)Models.TrainVectorPipeline().Model).OfType<SiameseEmbeddingTransformer>().Single();
        float[][]? reference = null;
        foreach (int batch in new[] { 1, 3, 64, 1000 })
        {
            var t = new SiameseEmbeddingTransformer(embed.EncoderModel, embed.Columns, batch);
            var e = Synthetic.Embeddings(t.Transform(data), "Embedding");
            if (reference == null) reference = e;
            else Assert.True(Models.MaxAbsDifference(reference, e) < 1e-5f, $"batch size {batch} changed the embeddings");
        }
    }

    [Fact]
    public void ParallelCursorsGiveTheSameEmbeddings()
    {
        var (_, data, model) = Models.TrainVectorPipeline();
        var output = model.Transform(data);
        var results = Enumerable.Range(0, 4).AsParallel().Select(_ => Synthetic.Embeddings(output, "Embedding")).ToArray();
        foreach (var r in results) Assert.Equal(0f, Models.MaxAbsDifference(results[0], r));
    }

    /// <summary>Every trained weight of a small vector pipeline, flattened.</summary>
    private static float[] TrainedWeights(int seed, int epochs = 2, float classification = 0)
    {
        var options = new SiameseEmbeddingOptions { Encoder = { EmbeddingDimension = 8, Widths = new[] { 32 } }, Objective = { ClassesPerBatch = 4, SamplesPerClass = 4, ClassificationLossWeight = classification }, Training = { Epochs = epochs, Seed = seed } };
        var model = Models.TrainVectorPipeline(options).Model;
        var embed = ((IEnumerable<ITransformer>)model).OfType<SiameseEmbeddingTransformer>().Single();
        return embed.EncoderModel.Network.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
    }

    [Fact]
    public void SameSeedGivesIdenticalWeightsAndAnotherSeedDoesNot()
    {
        var a = TrainedWeights(11);
        Assert.Equal(a, TrainedWeights(11));
        Assert.NotEqual(a, TrainedWeights(12));
    }

    [Fact]
    public void TheSeedAloneDecidesTheWeightsWhileOtherCodeUsesTorchsGlobalGenerator()
    {
        float[] Weights() => TrainedWeights(seed: 3, epochs: 1, classification: 0.5f);   // the head's init draws too
        var alone = Weights();

        // Another thread keeps reseeding and drawing from libtorch's process-wide generator (as a parallel test or a
        // second model in the same app would) while the same training runs again.
        using var stop = new CancellationTokenSource();
        long draws = 0;
        var noise = new Thread(() =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                TorchSharp.torch.manual_seed(i);
                using var t = TorchSharp.torch.rand(64);
                Interlocked.Increment(ref draws);
            }
        });
        noise.Start();
        float[] together;
        long before;
        try
        {
            SpinWait.SpinUntil(() => Interlocked.Read(ref draws) > 100, TimeSpan.FromSeconds(30));
            before = Interlocked.Read(ref draws);
            together = Weights();
        }
        finally { stop.Cancel(); noise.Join(); }
        Assert.True(Interlocked.Read(ref draws) > before, "the other thread drew nothing during training");
        Assert.Equal(alone, together);
    }

    [Fact]
    public void ProgressIsReportedAndCancellationStopsTraining()
    {
        var reports = new List<TrainingProgress>();
        var options = new SiameseEmbeddingOptions { Progress = new SyncProgress(reports.Add), Encoder = { EmbeddingDimension = 8 }, Objective = { ClassesPerBatch = 4, SamplesPerClass = 4 }, Training = { Epochs = 3, Seed = 1, ValidationFraction = 0.25f } };
        var (_, _, model) = Models.TrainVectorPipeline(options);
        var epochs = reports.Where(r => r.EpochCompleted).ToList();
        Assert.Equal(new[] { 1, 2, 3 }, epochs.Select(r => r.Epoch));
        Assert.All(epochs, r => Assert.InRange(r.ValidationPrecisionAt1, 0, 1));
        Assert.All(epochs, r => Assert.InRange(r.ActiveTripletFraction, 0, 1));
        Assert.Contains(reports, r => !r.EpochCompleted);
        Assert.Equal(3, ((IEnumerable<ITransformer>)model).OfType<SiameseEmbeddingTransformer>().Single().History.Count);

        using var cancel = new CancellationTokenSource();
        int batches = 0;
        var cancelling = new SiameseEmbeddingOptions {
 CancellationToken = cancel.Token, Progress = new SyncProgress(_ => { if (++batches == 3) cancel.Cancel(); }), Encoder = { EmbeddingDimension = 8 },
 Objective = { ClassesPerBatch = 4, SamplesPerClass = 4 },
 Training = { Epochs = 50, Seed = 1 },
};
        Assert.ThrowsAny<OperationCanceledException>(() => Models.TrainVectorPipeline(cancelling));
        Assert.Equal(3, batches);
    }

    [Theory]
    [InlineData(EncoderKind.ConvNet)]
    [InlineData(EncoderKind.ResNet)]
    [InlineData(EncoderKind.FastConvNet)]
    public void ImageEncodersTrainWithAugmentationAndRoundTrip(EncoderKind kind)
    {
        var ml = new MLContext(1);
        var train = Synthetic.Load(ml, Synthetic.Images(classes: 4, perClass: 24, channels: 3, size: 12, seed: 1));
        var test = Synthetic.Load(ml, Synthetic.Images(classes: 4, perClass: 8, channels: 3, size: 12, seed: 2));
        var options = new SiameseEmbeddingOptions
        {
            ImageChannels = 3, ImageHeight = 12, ImageWidth = 12, Encoder = { Kind = kind, Widths = new[] { 8, 16 },
            EmbeddingDimension = 16 },
            Objective = { ClassesPerBatch = 4, SamplesPerClass = 6 },
            Training = { Epochs = 8, Seed = 2, AugmentCropPadding = 1, AugmentHorizontalFlip = false, Optimizer = OptimizerKind.AdamW, WeightDecay = 1e-4f },
        };
        var model = ml.Transforms.SiameseEmbed(options).Fit(train);
        Assert.Equal(kind, model.Encoder.Kind);
        var p1 = Synthetic.PrecisionAt1(Synthetic.Embeddings(model.Transform(test), "Embedding"), Synthetic.Labels(test),
            Synthetic.Embeddings(model.Transform(train), "Embedding"), Synthetic.Labels(train));
        Assert.True(p1 > 0.9, $"{kind}: held-out precision@1 {p1}");

        string path = Path.Combine(Models.TempDir(), "image.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        Assert.Equal(0f, Models.MaxAbsDifference(Synthetic.Embeddings(model.Transform(test), "Embedding"), Synthetic.Embeddings(loaded.Transform(test), "Embedding")));
    }

    internal static SchemaDefinition SchemaFor(int dims)
    {
        var s = SchemaDefinition.Create(typeof(Synthetic.VectorRow));
        s[nameof(Synthetic.VectorRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dims);
        return s;
    }

    public sealed class EmbeddingRow { public float[] Embedding { get; set; } = Array.Empty<float>(); }

    private sealed class SyncProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
