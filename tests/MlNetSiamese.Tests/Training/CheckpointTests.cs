using Microsoft.ML;
using MlNetSiamese.Tests.Data;
using MlNetSiamese.Tests.Support;
using Xunit;

namespace MlNetSiamese.Tests.Training;

public class CheckpointTests
{
    private static SiameseEmbeddingOptions Options(string checkpoint, int epochs = 4, float classification = 0, float averaging = 0, OptimizerKind optimizer = OptimizerKind.Adam,
        bool airbench = false)
    {
        var o = new SiameseEmbeddingOptions
        {
            ClassificationLossWeight = classification, WeightAveragingDecay = averaging, Optimizer = optimizer, LearningRate = optimizer == OptimizerKind.Sgd ? 0.05f : 1e-3f,
            ImageChannels = 1, ImageHeight = 8, ImageWidth = 8, EncoderWidths = [8, 16], EmbeddingDimension = 8,
            Epochs = epochs, Seed = 5, ClassesPerBatch = 4, SamplesPerClass = 4, AugmentCropPadding = 1, AugmentHorizontalFlip = true,
            ValidationFraction = 0.2f, CheckpointPath = checkpoint,
        };
        if (airbench)
        {
            // airbench's pieces: random batches, the linear head, the whitened stem and identity start, the triangle,
            // a larger rate for batch-norm shifts, and lookahead (whose slow copy a resumed run must take back up).
            o.Encoder = EncoderKind.FastConvNet; o.EncoderWidths = [8, 8, 16]; o.WhitenedStem = true; o.IdentityInitialization = true;
            o.BatchSize = 16; o.ClassificationHead = ClassificationHeadKind.Linear; o.Schedule = LearningRateSchedule.Triangular;
            o.Momentum = 0.85f; o.NormBiasLearningRateScale = 4; o.Lookahead = true;
        }
        return o;
    }

    private static IDataView Data(MLContext ml) => Synthetic.Load(ml, Synthetic.Images(classes: 4, perClass: 24, channels: 1, size: 8, seed: 1));

    private static float[][] Fit(MLContext ml, IDataView data, SiameseEmbeddingOptions options, out IReadOnlyList<TrainingProgress> history)
    {
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.SiameseEmbed(options)).Fit(data);
        history = model.LastTransformer.History;
        return Synthetic.Embeddings(model.Transform(data), "Embedding");
    }

    [Theory]
    [InlineData(0f, 0f, OptimizerKind.Adam)]
    [InlineData(0.5f, 0f, OptimizerKind.Adam)]   // with the classification head, whose weights the checkpoint also carries
    [InlineData(0f, 0.9f, OptimizerKind.Adam)]   // with weight averaging, whose averages the checkpoint also carries
    [InlineData(0f, 0f, OptimizerKind.Sgd)]      // with SGD's velocities
    [InlineData(0.5f, 0f, OptimizerKind.Sgd, true)]
    public void CancelledThenResumedRunEqualsAnUninterruptedRun(float classification, float averaging, OptimizerKind optimizer, bool airbench = false)
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        var straight = Fit(ml, data, Options(dir.File("straight.ckpt"), classification: classification, averaging: averaging, optimizer: optimizer, airbench: airbench), out var straightHistory);

        // Cancel when epoch 2 is reported: the checkpoint of epoch 2 is on disk, training stops at the next batch.
        using var cts = new CancellationTokenSource();
        var interrupted = Options(dir.File("run.ckpt"), classification: classification, averaging: averaging, optimizer: optimizer, airbench: airbench);
        interrupted.CancellationToken = cts.Token;
        interrupted.Progress = new Inline(p => { if (p.EpochCompleted && p.Epoch == 2) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Fit(ml, data, interrupted, out _));
        Assert.True(File.Exists(dir.File("run.ckpt")));
        Assert.False(File.Exists(dir.File("run.ckpt.tmp")));

        var resumed = Options(dir.File("run.ckpt"), classification: classification, averaging: averaging, optimizer: optimizer, airbench: airbench);
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
    public void ResumingWithMoreEpochsContinuesAfterTheLastCompletedOne()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        Fit(ml, data, Options(dir.File("run.ckpt"), epochs: 2), out _);
        var more = Options(dir.File("run.ckpt"), epochs: 3);
        more.ResumeFromCheckpoint = true;
        var epochsRun = new List<int>();
        more.Progress = new Inline(p => { if (p.EpochCompleted) epochsRun.Add(p.Epoch); });
        Fit(ml, data, more, out var history);
        Assert.Equal(new[] { 3 }, epochsRun);
        Assert.Equal(new[] { 1, 2, 3 }, history.Select(h => h.Epoch));
    }

    [Fact]
    public void ResumingADifferentRunOrADamagedFileIsRefusedNamingTheProblem()
    {
        using var dir = new TempDir();
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        string path = dir.File("run.ckpt");
        Fit(ml, data, Options(path, epochs: 1), out _);

        var otherSeed = Options(path);
        otherSeed.Seed = 6; otherSeed.ResumeFromCheckpoint = true;
        var e1 = Assert.Throws<InvalidOperationException>(() => Fit(ml, data, otherSeed, out _));
        Assert.Contains("Seed differs", e1.Message);
        Assert.Contains(path, e1.Message);

        var otherOptimizer = Options(path, optimizer: OptimizerKind.Sgd);
        otherOptimizer.ResumeFromCheckpoint = true;
        Assert.Contains("optimiser", Assert.Throws<InvalidDataException>(() => Fit(ml, data, otherOptimizer, out _)).Message);

        var averaging = Options(path, averaging: 0.9f);   // the checkpoint holds no averages
        averaging.ResumeFromCheckpoint = true;
        Assert.Contains("WeightAveragingDecay", Assert.Throws<InvalidOperationException>(() => Fit(ml, data, averaging, out _)).Message);

        var otherEncoder = Options(path);
        otherEncoder.EncoderWidths = [8, 32]; otherEncoder.ResumeFromCheckpoint = true;
        Assert.Contains("encoder differs", Assert.Throws<InvalidOperationException>(() => Fit(ml, data, otherEncoder, out _)).Message);

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
