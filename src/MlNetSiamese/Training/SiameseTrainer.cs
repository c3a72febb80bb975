using System.Diagnostics;
using MlNetSiamese.Encoders;
using MlNetSiamese.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Training;

/// <summary>
/// The training loop: sampler -> (augmentation) -> encoder -> distance matrix -> miner -> triplet loss -> optimiser,
/// then per epoch validation, best-weights keeping, early stopping and progress. Deterministic for a seed on CPU.
/// </summary>
internal sealed class SiameseTrainer(SiameseEmbeddingOptions options, IProgress<TrainingProgress>? progress = null, Action<string>? log = null)
{
    public Encoder Train(TrainingSet data)
    {
        var o = options;
        var device = new Device(o.Device);
        var random = new Random(o.Seed);
        var (train, validation) = Split(data, o.ValidationFraction, random);

        torch.manual_seed(o.Seed);
        var encoder = new Encoder(o.ToEncoderConfig(data.RowSize), device);
        try
        {
            Run(encoder, train, validation, device, random);
            encoder.Network.eval();
            return encoder;
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    private void Run(Encoder encoder, TrainingSet train, TrainingSet? validation, Device device, Random random)
    {
        var o = options;
        var cfg = encoder.Config;
        IBatchSampler sampler = o.Mining == TripletMining.OfflineRandom
            ? new RandomTripletSampler(train, o.TripletsPerBatch)
            : new ClassBalancedSampler(train, o.ClassesPerBatch, o.SamplesPerClass);
        var objective = new TripletObjective(
            o.Distance == DistanceKind.Cosine ? new CosineDistance() : new EuclideanDistance(),
            o.Mining switch
            {
                TripletMining.BatchAll => new BatchAllMiner(),
                TripletMining.BatchHard => new BatchHardMiner(),
                _ => new SemiHardMiner(),
            },
            o.Loss == TripletLossKind.Margin ? new MarginTripletLoss(o.Margin) : new SoftMarginTripletLoss(),
            o.Margin);
        var augmentation = cfg.IsImage && (o.AugmentCropPadding > 0 || o.AugmentHorizontalFlip)
            ? new ImageAugmentation(cfg.Channels, cfg.Height, cfg.Width, o.AugmentCropPadding, o.AugmentHorizontalFlip)
            : null;

        var parameters = encoder.Network.parameters().ToList();
        optim.Optimizer optimizer = o.Optimizer == OptimizerKind.AdamW
            ? optim.AdamW(parameters, o.LearningRate, weight_decay: o.WeightDecay)
            : optim.Adam(parameters, o.LearningRate, weight_decay: o.WeightDecay);

        int batches = sampler.BatchesPerEpoch, total = batches * o.Epochs, step = 0;
        var clock = Stopwatch.StartNew();
        Dictionary<string, Tensor>? best = null;
        double bestScore = double.NegativeInfinity;
        int sinceBest = 0;
        var rowSize = train.RowSize;
        float[] buffer = Array.Empty<float>();

        try
        {
            for (int epoch = 1; epoch <= o.Epochs; epoch++)
            {
                encoder.Network.train();
                double lossSum = 0, activeSum = 0;
                double lr = o.LearningRate;
                for (int b = 1; b <= batches; b++)
                {
                    o.CancellationToken.ThrowIfCancellationRequested();
                    lr = o.Schedule == LearningRateSchedule.Cosine ? o.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / total)) : o.LearningRate;
                    foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;

                    var batch = sampler.Next(random);
                    int rows = batch.Rows.Length;
                    if (buffer.Length != rows * rowSize) buffer = new float[rows * rowSize];
                    var labels = new int[rows];
                    for (int i = 0; i < rows; i++)
                    {
                        var src = train.Features.AsSpan(batch.Rows[i] * rowSize, rowSize);
                        var dst = buffer.AsSpan(i * rowSize, rowSize);
                        if (augmentation != null) augmentation.CopyAugmented(src, dst, random); else src.CopyTo(dst);
                        labels[i] = train.Labels[batch.Rows[i]];
                    }

                    using (var scope = NewDisposeScope())
                    {
                        var x = encoder.Input(buffer.AsSpan(0, rows * rowSize), rows, device);
                        optimizer.zero_grad();
                        var embeddings = encoder.Forward(x);
                        var (loss, active, _) = objective.Compute(embeddings, labels, batch.GivenTriplets);
                        loss.backward();
                        optimizer.step();
                        lossSum += loss.item<float>();
                        activeSum += active;
                    }
                    step++;
                    progress?.Report(new TrainingProgress
                    {
                        Epoch = epoch, Epochs = o.Epochs, Batch = b, BatchesPerEpoch = batches,
                        Loss = lossSum / b, ActiveTripletFraction = activeSum / b, LearningRate = lr, Elapsed = clock.Elapsed,
                    });
                }

                double score = validation == null ? double.NaN : ValidationPrecisionAt1(encoder, validation);
                bool isBest = validation == null || score > bestScore;
                if (isBest)
                {
                    bestScore = score; sinceBest = 0;
                    if (validation != null) { DisposeAll(best); best = Snapshot(encoder.Network); }
                }
                else sinceBest++;

                var report = new TrainingProgress
                {
                    Epoch = epoch, Epochs = o.Epochs, Batch = batches, BatchesPerEpoch = batches, EpochCompleted = true,
                    Loss = lossSum / batches, ActiveTripletFraction = activeSum / batches, ValidationPrecisionAt1 = score,
                    LearningRate = lr, Elapsed = clock.Elapsed, IsBest = isBest,
                };
                progress?.Report(report);
                log?.Invoke($"epoch {epoch}/{o.Epochs}: loss {report.Loss:F4}, active triplets {report.ActiveTripletFraction:P1}, " +
                            $"validation precision@1 {score:F4}{(isBest ? " (best)" : "")}, {clock.Elapsed.TotalSeconds:F1}s");
                if (o.EarlyStoppingPatience > 0 && sinceBest >= o.EarlyStoppingPatience)
                {
                    log?.Invoke($"early stop: no better validation score for {sinceBest} epochs");
                    break;
                }
            }
            if (best != null) Restore(encoder.Network, best);
        }
        finally
        {
            DisposeAll(best);
            optimizer.Dispose();
        }
    }

    private static (TrainingSet Train, TrainingSet? Validation) Split(TrainingSet data, float fraction, Random random)
    {
        if (fraction <= 0) return (data, null);
        var order = Enumerable.Range(0, data.Count).ToArray();
        random.Shuffle(order);
        int holdout = (int)Math.Round(data.Count * (double)fraction);
        if (holdout < 2 || data.Count - holdout < 2)
            throw new InvalidOperationException($"ValidationFraction {fraction} leaves {holdout} validation and {data.Count - holdout} training rows; each needs at least 2.");
        return (data.Subset(order[holdout..]), data.Subset(order[..holdout]));
    }

    /// <summary>Leave-one-out precision@1 by cosine similarity, in blocks of rows.</summary>
    internal static double ValidationPrecisionAt1(Encoder encoder, TrainingSet set)
    {
        encoder.Network.eval();
        int d = encoder.Config.EmbeddingDimension, n = set.Count;
        var embeddings = new float[(long)n * d];
        const int chunk = 256;
        for (int start = 0; start < n; start += chunk)
        {
            int rows = Math.Min(chunk, n - start);
            encoder.Embed(set.Features.AsSpan(start * set.RowSize, rows * set.RowSize), rows, embeddings.AsSpan(start * d, rows * d));
        }
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var e = tensor(embeddings, new long[] { n, d });
        using var minusInfinity = float.NegativeInfinity.ToScalar();   // explicit, see TripletObjective.cs
        int correct = 0;
        for (int start = 0; start < n; start += 1024)
        {
            int rows = Math.Min(1024, n - start);
            var sim = e.narrow(0, start, rows).matmul(e.t());
            var self = Enumerable.Range(0, rows).Select(i => (long)i).ToArray();
            sim.index_put_(minusInfinity, tensor(self), tensor(self.Select(i => i + start).ToArray()));   // not itself
            var nearest = sim.argmax(1).data<long>().ToArray();
            for (int i = 0; i < rows; i++) if (set.Labels[nearest[i]] == set.Labels[start + i]) correct++;
        }
        return (double)correct / n;
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module module) =>
        module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    private static void Restore(nn.Module module, Dictionary<string, Tensor> state)
    {
        using var _ = no_grad();
        foreach (var (name, value) in module.state_dict()) value.copy_(state[name]);
    }

    private static void DisposeAll(Dictionary<string, Tensor>? state)
    {
        if (state == null) return;
        foreach (var t in state.Values) t.Dispose();
    }
}
