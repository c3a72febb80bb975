using MlNetSiamese.Torch;
using System.Diagnostics;
using MlNetSiamese.Encoders;
using MlNetSiamese.Losses;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Training;

/// <summary>
/// The training loop: sampler -> (augmentation) -> encoder -> distance matrix -> miner -> triplet loss, plus an optional
/// classification head on the encoder's output -> optimiser (-> lookahead, weight averaging), then per epoch
/// validation, best-weights keeping, early stopping and progress. Deterministic for a seed on CPU.
/// </summary>
internal sealed class SiameseTrainer(SiameseEmbeddingOptions options, IProgress<TrainingProgress>? progress = null, Action<string>? log = null)
{
    /// <summary>Epoch reports of the epochs a resumed run had completed before it was interrupted (empty otherwise).</summary>
    public IReadOnlyList<TrainingProgress> ResumedHistory { get; private set; } = Array.Empty<TrainingProgress>();

    public Encoder Train(TrainingSet data)
    {
        var o = options;
        var device = new Device(o.Device);
        var (train, validation) = Split(data, o.ValidationFraction, new Random(o.Seed));

        // Initial weights come from a generator of this run's own, not libtorch's process-wide one (see WeightInit).
        using var init = new Generator(unchecked((ulong)o.Seed));
        var config = o.ToEncoderConfig(data.RowSize);
        var encoder = new Encoder(config, device, init);
        try
        {
            if (!o.ResumeFromCheckpoint)   // a resumed run reads every weight from the checkpoint
            {
                if (o.IdentityInitialization) WeightInit.Identity(encoder.Network);
                if (encoder.Network is IInitializesFromData fromData) InitializeFromData(fromData, train, config, new Random(o.Seed));
            }
            using nn.Module<Tensor, Tensor, Tensor>? head = o.ClassificationLossWeight <= 0 ? null
                : o.ClassificationHead == ClassificationHeadKind.Linear ? new LinearSoftmaxLoss(o.EmbeddingDimension, data.ClassCount, init, labelSmoothing: o.ClassificationLabelSmoothing)
                : new NormalizedSoftmaxLoss(o.EmbeddingDimension, data.ClassCount, init, labelSmoothing: o.ClassificationLabelSmoothing);
            if (head != null && device.type != DeviceType.CPU) head.to(device);
            Run(encoder, head, train, validation, data.Count, device);
            encoder.Network.eval();
            return encoder;
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Each epoch draws its batches and augmentation from its own generator, seeded by (seed, epoch), and builds a
    /// fresh sampler: an epoch does not depend on how the process got there, so a run resumed from a checkpoint
    /// gives the same weights as one that was never interrupted.
    /// </summary>
    internal static Random EpochRandom(int seed, int epoch) => new(unchecked(seed * 1_000_003 + epoch * 7919));

    /// <summary>Rows drawn for data-dependent initialisation (airbench whitens with 5,000 training images).</summary>
    internal const int InitializationRows = 5000;

    private static void InitializeFromData(IInitializesFromData network, TrainingSet train, EncoderConfig config, Random random)
    {
        var rows = Enumerable.Range(0, train.Count).ToArray();
        random.Shuffle(rows);
        int n = Math.Min(InitializationRows, rows.Length);
        var values = new float[(long)n * train.RowSize];
        for (int i = 0; i < n; i++) train.Features.AsSpan(rows[i] * train.RowSize, train.RowSize).CopyTo(values.AsSpan(i * train.RowSize));
        using var images = tensor(values, new long[] { n, config.Channels, config.Height, config.Width });
        network.InitializeFromData(images);
    }

    private void Run(Encoder encoder, nn.Module<Tensor, Tensor, Tensor>? head, TrainingSet train, TrainingSet? validation, int allRows, Device device)
    {
        var o = options;
        var cfg = encoder.Config;
        IBatchSampler NewSampler() => o.Mining == TripletMining.OfflineRandom ? new RandomTripletSampler(train, o.TripletsPerBatch)
            : o.BatchSize > 0 ? new RandomBatchSampler(train, o.BatchSize)
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
        var augmentation = cfg.IsImage && (o.AugmentCropPadding > 0 || o.AugmentHorizontalFlip || o.TrainingCropSize > 0 || o.AugmentErasingProbability > 0)
            ? new ImageAugmentation(cfg.Channels, cfg.Height, cfg.Width, o.AugmentCropPadding, o.AugmentHorizontalFlip, o.AugmentErasingProbability)
            : null;

        var parameters = encoder.Network.parameters().Concat(head?.parameters() ?? []).Where(p => p.requires_grad).ToList();   // not the fixed batch-norm scales of FastConvNet
        using var headWeight = o.ClassificationLossWeight.ToScalar();
        using var tripletWeight = o.TripletLossWeight.ToScalar();
        // beta2 0.99: what TorchSharp's optim.Adam / optim.AdamW factories default to, which this trainer used for
        // every result in bench/RESULTS.md before it had its own optimiser (PyTorch's default is 0.999).
        var scales = o.NormBiasLearningRateScale == 1 ? null : LearningRateScales(encoder.Network, parameters, o.NormBiasLearningRateScale);
        using GradientOptimizer optimizer = o.Optimizer == OptimizerKind.Sgd
            ? new SgdOptimizer(parameters, o.LearningRate, o.WeightDecay, o.Momentum, scales)
            : new AdamOptimizer(parameters, o.LearningRate, o.WeightDecay, decoupled: o.Optimizer == OptimizerKind.AdamW, beta2: 0.99, learningRateScales: scales);

        int batches = NewSampler().BatchesPerEpoch, total = batches * o.Epochs;
        using var lookahead = o.Lookahead ? new Lookahead(encoder.Network, total) : null;
        var clock = Stopwatch.StartNew();
        byte[]? best = null;
        double bestScore = double.NegativeInfinity;
        int sinceBest = 0, firstEpoch = 1;
        var history = new List<TrainingProgress>();
        string configJson = cfg.ToJson();

        using var average = o.WeightAveragingDecay > 0 ? new WeightAverage(encoder.Network, o.WeightAveragingDecay) : null;
        if (o.ResumeFromCheckpoint)
        {
            var path = o.CheckpointPath!;
            var checkpoint = TrainingCheckpoint.Load(path);
            checkpoint.CheckMatches(path, configJson, o.Seed, o.ValidationFraction, allRows);
            EncoderWeights.Read(new MemoryStream(checkpoint.Weights), encoder.Network, $"training checkpoint '{path}'");
            if (head != null)
            {
                if (checkpoint.HeadWeights == null) throw new InvalidOperationException($"Cannot resume from '{path}': it was written without ClassificationLossWeight. Resume with the options of the interrupted run.");
                EncoderWeights.Read(new MemoryStream(checkpoint.HeadWeights), head, $"training checkpoint '{path}' (classification head)");
            }
            if (average != null)
            {
                if (checkpoint.AveragedWeights == null) throw new InvalidOperationException($"Cannot resume from '{path}': it was written without WeightAveragingDecay. Resume with the options of the interrupted run.");
                average.Swap();   // the averages take the resumed weights, the network reads the checkpoint's averages, and back
                EncoderWeights.Read(new MemoryStream(checkpoint.AveragedWeights), encoder.Network, $"training checkpoint '{path}' (averaged weights)");
                average.Swap();
            }
            using (var reader = new BinaryReader(new MemoryStream(checkpoint.OptimizerState)))
                optimizer.Load(reader, $"training checkpoint '{path}'");
            best = checkpoint.BestWeights;
            bestScore = checkpoint.BestScore;
            sinceBest = checkpoint.EpochsSinceBest;
            firstEpoch = checkpoint.CompletedEpochs + 1;
            lookahead?.Resume((long)checkpoint.CompletedEpochs * batches);
            history.AddRange(checkpoint.History);
            ResumedHistory = checkpoint.History;
            log?.Invoke($"resumed from '{path}' after epoch {checkpoint.CompletedEpochs}" +
                        (validation != null ? $" (best validation precision@1 {bestScore:F4})" : ""));
        }

        var rowSize = train.RowSize;
        float[] buffer = Array.Empty<float>();
        bool stopped = o.EarlyStoppingPatience > 0 && sinceBest >= o.EarlyStoppingPatience;
        for (int epoch = firstEpoch; epoch <= o.Epochs && !stopped; epoch++)
        {
            var random = EpochRandom(o.Seed, epoch);
            var sampler = NewSampler();
            int step = (epoch - 1) * batches;
            encoder.Network.train();
            double lossSum = 0, activeSum = 0;
            double lr = o.LearningRate;
            // The first CropEpochs epochs train on small random crops (TrainingCropSize), the rest on whole images.
            int side = epoch <= o.CropEpochs ? o.TrainingCropSize : 0;
            int height = side > 0 ? side : cfg.Height, width = side > 0 ? side : cfg.Width;
            int trainRow = side > 0 ? cfg.Channels * side * side : rowSize;
            for (int b = 1; b <= batches; b++, step++)
            {
                o.CancellationToken.ThrowIfCancellationRequested();
                lr = o.LearningRate * ScheduleFactor(o.Schedule, step, total);
                optimizer.LearningRate = lr;

                var batch = sampler.Next(random);
                int rows = batch.Rows.Length;
                if (buffer.Length != rows * trainRow) buffer = new float[rows * trainRow];
                var labels = new int[rows];
                for (int i = 0; i < rows; i++)
                {
                    var src = train.Features.AsSpan(batch.Rows[i] * rowSize, rowSize);
                    var dst = buffer.AsSpan(i * trainRow, trainRow);
                    if (side > 0) augmentation!.CopyCropped(src, dst, side, random);
                    else if (augmentation != null) augmentation.CopyAugmented(src, dst, random);
                    else src.CopyTo(dst);
                    augmentation?.Erase(dst, height, width, random);
                    labels[i] = train.Labels[batch.Rows[i]];
                }

                using (var scope = NewDisposeScope())
                {
                    var x = encoder.Input(buffer.AsSpan(0, rows * trainRow), rows, device);
                    optimizer.ZeroGrad();
                    var outputs = encoder.ForwardUnnormalised(x, height, width);
                    Tensor? loss = null;
                    double active = 0;
                    if (o.TripletLossWeight > 0)
                    {
                        (loss, active, _) = objective.Compute(nn.functional.normalize(outputs, p: 2, dim: 1), labels, batch.GivenTriplets);
                        if (o.TripletLossWeight != 1) loss = loss.mul(tripletWeight);
                    }
                    if (head != null)
                    {
                        var classification = head.forward(outputs, tensor(labels, ScalarType.Int64, device));
                        loss = loss is null ? classification.mul(headWeight) : loss.add(classification, alpha: headWeight);
                    }
                    loss!.backward();
                    optimizer.Step();
                    average?.Update(step);
                    lossSum += loss.item<float>();
                    activeSum += active;
                }
                lookahead?.AfterStep(step + 1);   // outside the batch's dispose scope: it may take the slow copy here
                progress?.Report(new TrainingProgress
                {
                    Epoch = epoch, Epochs = o.Epochs, Batch = b, BatchesPerEpoch = batches,
                    Loss = lossSum / b, ActiveTripletFraction = activeSum / b, LearningRate = lr, Elapsed = clock.Elapsed,
                });
            }

            lookahead?.EndEpoch();
            // Validation, the best-epoch snapshot and the checkpoint's averages see the averaged weights, if any.
            average?.Swap();
            double score = validation == null ? double.NaN : ValidationPrecisionAt1(encoder, validation);
            bool isBest = validation == null || score > bestScore;
            if (isBest)
            {
                bestScore = score; sinceBest = 0;
                if (validation != null) best = WeightsOf(encoder.Network);
            }
            else sinceBest++;
            byte[]? averagedWeights = average != null && o.CheckpointPath != null ? WeightsOf(encoder.Network) : null;
            average?.Swap();
            stopped = o.EarlyStoppingPatience > 0 && sinceBest >= o.EarlyStoppingPatience;

            var report = new TrainingProgress
            {
                Epoch = epoch, Epochs = o.Epochs, Batch = batches, BatchesPerEpoch = batches, EpochCompleted = true,
                Loss = lossSum / batches, ActiveTripletFraction = activeSum / batches, ValidationPrecisionAt1 = score,
                LearningRate = lr, Elapsed = clock.Elapsed, IsBest = isBest,
            };
            history.Add(report);
            // The checkpoint is on disk before anyone hears of the epoch, so a cancellation from the report keeps it.
            if (o.CheckpointPath != null)
                SaveCheckpoint(o.CheckpointPath, encoder, head, optimizer, configJson, allRows, epoch, bestScore, sinceBest, best, averagedWeights, history);
            progress?.Report(report);
            log?.Invoke($"epoch {epoch}/{o.Epochs}: loss {report.Loss:F4}, active triplets {report.ActiveTripletFraction:P1}, " +
                        $"validation precision@1 {score:F4}{(isBest ? " (best)" : "")}, {clock.Elapsed.TotalSeconds:F1}s");
            if (stopped) log?.Invoke($"early stop: no better validation score for {sinceBest} epochs");
        }
        if (best != null) EncoderWeights.Read(new MemoryStream(best), encoder.Network, "the best epoch's weights");
        else average?.Swap();   // no validation: the model is the last epoch's average
    }

    /// <summary>The learning rate's multiplier at 0-based <paramref name="step"/> of <paramref name="total"/>.</summary>
    internal static double ScheduleFactor(LearningRateSchedule schedule, long step, long total) => schedule switch
    {
        LearningRateSchedule.Cosine => 0.5 * (1 + Math.Cos(Math.PI * step / total)),
        LearningRateSchedule.Triangular => Triangle(step, total),
        _ => 1,
    };

    private static double Triangle(long step, long total)
    {
        long peak = (long)(0.23 * total);
        return step <= peak && peak > 0 ? 0.2 + 0.8 * step / peak
            : step <= peak ? 1
            : 1 - 0.93 * (step - peak) / (double)(total - peak);
    }

    /// <summary>Per parameter: <paramref name="normBiasScale"/> for the shifts (biases) of batch norms, 1 for the rest.</summary>
    private static double[] LearningRateScales(nn.Module network, IReadOnlyList<Parameter> parameters, double normBiasScale)
    {
        var normBiases = network.modules().Select(m => m switch { BatchNorm1d b => b.bias, BatchNorm2d b => b.bias, _ => null })
            .Where(b => b is not null).Select(b => b!.Handle).ToHashSet();
        return parameters.Select(p => normBiases.Contains(p.Handle) ? normBiasScale : 1.0).ToArray();
    }

    private void SaveCheckpoint(string path, Encoder encoder, nn.Module<Tensor, Tensor, Tensor>? head, GradientOptimizer optimizer, string configJson, int allRows, int epoch,
        double bestScore, int sinceBest, byte[]? best, byte[]? averagedWeights, List<TrainingProgress> history)
    {
        using var state = new MemoryStream();
        using (var writer = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.Save(writer);
        new TrainingCheckpoint
        {
            ConfigJson = configJson, Seed = options.Seed, ValidationFraction = options.ValidationFraction, TrainingRows = allRows,
            CompletedEpochs = epoch, BestScore = bestScore, EpochsSinceBest = sinceBest,
            Weights = WeightsOf(encoder.Network), BestWeights = best, OptimizerState = state.ToArray(), History = history.ToArray(),
            HeadWeights = head == null ? null : WeightsOf(head), AveragedWeights = averagedWeights,
        }.Save(path);
    }

    private static byte[] WeightsOf(nn.Module module)
    {
        using var stream = new MemoryStream();
        EncoderWeights.Write(stream, module);
        return stream.ToArray();
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
        using var minusInfinity = float.NegativeInfinity.ToScalar();   // explicit, see Scalars.cs
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
}
