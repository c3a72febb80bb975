using Microsoft.ML;
using MlNetSiamese.Tests.Data;
using MlNetSiamese.Tests.Support;
using Xunit;

namespace MlNetSiamese.Tests.Training;

public class CheckpointTests
{
    private static SiameseEmbeddingOptions Options(string checkpoint, int epochs = 4, float classification = 0, OptimizerKind optimizer = OptimizerKind.Adam) => new()
    {
        ImageChannels = 1, ImageHeight = 8, ImageWidth = 8, CheckpointPath = checkpoint,
        Encoder = { Widths = [8, 16], EmbeddingDimension = 8 },
        Objective = { ClassificationLossWeight = classification, ClassesPerBatch = 4, SamplesPerClass = 4 },
        Training = { Optimizer = optimizer, Epochs = epochs, Seed = 5, AugmentCropPadding = 1, AugmentHorizontalFlip = true, ValidationFraction = 0.2f },
    };

    private static IDataView Data(MLContext ml) => Synthetic.Load(ml, Synthetic.Images(classes: 4, perClass: 24, channels: 1, size: 8, seed: 1));

    private static float[][] Fit(MLContext ml, IDataView data, SiameseEmbeddingOptions options, out IReadOnlyList<TrainingProgress> history)
    {
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.SiameseEmbed(options)).Fit(data);
        history = model.LastTransformer.History;
        return Synthetic.Embeddings(model.Transform(data), "Embedding");
    }

    [Theory]
    [InlineData(0f, OptimizerKind.Adam)]
    [InlineData(0.5f, OptimizerKind.Adam)]    // with the classification head, whose weights the checkpoint also carries
    [InlineData(0.5f, OptimizerKind.AdamW)]
    public void CancelledThenResumedRunEqualsAnUninterruptedRun(float classification, OptimizerKind optimizer)
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        var straight = Fit(ml, data, Options(dir.File("straight.ckpt"), classification: classification, optimizer: optimizer), out var straightHistory);

        // Cancel when epoch 2 is reported: the checkpoint of epoch 2 is on disk, training stops at the next batch.
        using var cts = new CancellationTokenSource();
        var interrupted = Options(dir.File("run.ckpt"), classification: classification, optimizer: optimizer);
        interrupted.CancellationToken = cts.Token;
        interrupted.Progress = new Inline(p => { if (p.EpochCompleted && p.Epoch == 2) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Fit(ml, data, interrupted, out _));
        Assert.True(File.Exists(dir.File("run.ckpt")));
        Assert.False(File.Exists(dir.File("run.ckpt.tmp")));

        var resumed = Options(dir.File("run.ckpt"), classification: classification, optimizer: optimizer);
        resumed.ResumeFromCheckpoint = true;
        var epochsRun = new List<int>();
        resumed.Progress = new Inline(p => { if (p.EpochCompleted) epochsRun.Add(p.Epoch); });
        var result = Fit(ml, data, resumed, out var resumedHistory);

        Assert.Equal(new[] { 3, 4 }, epochsRun);                       // only the epochs after the checkpoint ran
        Assert.Equal(straightHistory.Select(h => h.Epoch), resumedHistory.Select(h => h.Epoch));
        Assert.Equal(straightHistory.Select(h => h.Loss), resumedHistory.Select(h => h.Loss));
        Assert.Equal(straightHistory.Select(h => h.ValidationPrecisionAt1), resumedHistory.Select(h => h.ValidationPrecisionAt1));
        double maxDiff = straight.Zip(result).SelectMany(p => p.First.Zip(p.Second, (a, b) => Math.Abs(a - b))).Max();
        Assert.Equal(0.0, maxDiff);
    }

    [Fact]
    public void ResumingADifferentRunOrADamagedFileIsRefusedNamingTheProblem()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        string path = dir.File("run.ckpt");
        Fit(ml, data, Options(path, epochs: 1), out _);

        // Any field of the recipe that differs is named, with both values: the seed, the learning rate, the miner,
        // the optimiser, the epochs (the schedule spans them), the encoder's widths.
        foreach (var (change, field) in new (Action<SiameseEmbeddingOptions>, string)[]
        {
            (o => o.Training.Seed = 6, "Training.Seed differs (checkpoint 5, now 6)"),
            (o => o.Training.LearningRate = 0.002f, "Training.LearningRate differs"),
            (o => o.Objective.Mining = TripletMining.BatchHard, "Objective.Mining differs (checkpoint \"SemiHard\", now \"BatchHard\")"),
            (o => o.Training.Optimizer = OptimizerKind.AdamW, "Training.Optimizer differs"),
            (o => o.Training.Epochs = 5, "Training.Epochs differs (checkpoint 1, now 5)"),
            (o => o.Encoder.Widths = [8, 32], "Encoder.Widths differs (checkpoint [8,16], now [8,32])"),
        })
        {
            var other = Options(path, epochs: 1);
            change(other);
            other.ResumeFromCheckpoint = true;
            var e = Assert.Throws<InvalidOperationException>(() => Fit(ml, data, other, out _));
            Assert.Contains(field, e.Message);
            Assert.Contains(path, e.Message);
        }

        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var damaged = Options(path);
        damaged.ResumeFromCheckpoint = true;
        Assert.Contains("damaged", Assert.Throws<InvalidDataException>(() => Fit(ml, data, damaged, out _)).Message);

        var missing = Options(dir.File("none.ckpt"));
        missing.ResumeFromCheckpoint = true;
        Assert.Contains("none.ckpt", Assert.Throws<FileNotFoundException>(() => Fit(ml, data, missing, out _)).Message);

        var noPath = Options(null!);
        noPath.ResumeFromCheckpoint = true;
        Assert.Contains("CheckpointPath", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SiameseEmbed(noPath)).Message);
    }

    /// <summary>Reports synchronously (System.Progress posts to the thread pool).</summary>
    private sealed class Inline(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
