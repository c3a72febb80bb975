using System.Diagnostics;
using MlNetSiamese.Encoders;
using MlNetSiamese.Losses;
using MlNetSiamese.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Training;

/// <summary>
/// The training loop: sampler -> <see cref="BatchFiller"/> (augmentation, crops) -> encoder -> triplet objective, plus
/// an optional classification head -> optimiser on the <see cref="Schedules"/>' rate; per epoch the
/// <see cref="ValidationScore"/>, <see cref="BestEpoch"/>, the <see cref="CheckpointSession"/> and progress.
/// It sees plain objects only: the encoder's configuration, the objective, the recipe and the run's settings.
/// Deterministic for a seed on CPU.
/// </summary>
internal sealed class SiameseTrainer(EncoderConfig config, TripletObjectiveOptions objective, TrainingRecipe recipe, TrainingRun? run = null)
{
    private readonly TrainingRun run = run ?? new TrainingRun();

    /// <summary>Epoch reports of the epochs a resumed run had completed before it was interrupted (empty otherwise).</summary>
    public IReadOnlyList<TrainingProgress> ResumedHistory { get; private set; } = Array.Empty<TrainingProgress>();

    /// <summary>
    /// Each epoch draws its batches and augmentation from its own generator, seeded by (seed, epoch), and builds a
    /// fresh sampler: an epoch does not depend on how the process got there, so a run resumed from a checkpoint
    /// gives the same weights as one that was never interrupted.
    /// </summary>
    internal static Random EpochRandom(int seed, int epoch) => new(unchecked(seed * 1_000_003 + epoch * 7919));

    public Encoder Train(TrainingSet data)
    {
        var device = new Device(recipe.Device);
        var (train, validation) = Split(data, recipe.ValidationFraction, new Random(recipe.Seed));
        // Initial weights come from a generator of this run's own, not libtorch's process-wide one (see WeightInit).
        using var init = new Generator(unchecked((ulong)recipe.Seed));
        var encoder = new Encoder(config, device, init);
        try
        {
            if (encoder.Network is ImageNetResNet18Encoder pretrained)
            {
                using var weights = ImageNetResNet18Weights.Read(run.PretrainedDirectory);
                pretrained.LoadPretrained(weights);
                run.Log?.Invoke($"ImageNet ResNet-18 weights from '{weights.Source}', images resized to {config.ResizeTo} x {config.ResizeTo}");
            }
            using var head = objective.CreateClassificationHead(config.TrainingDimension, data.ClassCount, init);
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

    private IBatchSampler NewSampler(TrainingSet train) => objective.Mining == TripletMining.OfflineRandom
        ? new RandomTripletSampler(train, objective.TripletsPerBatch)
        : new ClassBalancedSampler(train, objective.ClassesPerBatch, objective.SamplesPerClass);

    private BatchFiller NewFiller(TrainingSet train, int epoch)
    {
        var augmentation = config.IsImage && (recipe.AugmentCropPadding > 0 || recipe.AugmentHorizontalFlip || recipe.TrainingCropSize > 0)
            ? new ImageAugmentation(config.Channels, config.Height, config.Width, recipe.AugmentCropPadding, recipe.AugmentHorizontalFlip)
            : null;
        // The first CropEpochs epochs train on small random crops (TrainingCropSize), the rest on whole images.
        return new BatchFiller(train, augmentation, config.Channels, config.Height, config.Width, epoch <= recipe.CropEpochs ? recipe.TrainingCropSize : 0);
    }

    private void Run(Encoder encoder, NormalizedSoftmaxLoss? head, TrainingSet train, TrainingSet? validation, int allRows, Device device)
    {
        var tripletObjective = objective.CreateObjective();
        var parameters = encoder.Network.parameters().Concat(head?.parameters() ?? []).Where(p => p.requires_grad).ToList();   // not FastConvNet's fixed batch-norm scales
        // beta2 0.99: what TorchSharp's optim.Adam / optim.AdamW factories default to, which this trainer used for
        // every result in bench/RESULTS.md before it had its own optimiser (PyTorch's default is 0.999).
        using var optimizer = new AdamOptimizer(parameters, recipe.LearningRate, recipe.WeightDecay, decoupled: recipe.Optimizer == OptimizerKind.AdamW, beta2: 0.99);
        using var headWeight = objective.ClassificationLossWeight.ToScalar();
        int batches = NewSampler(train).BatchesPerEpoch, total = batches * recipe.Epochs;
        var best = new BestEpoch(validation != null, recipe.EarlyStoppingPatience);
        var session = run.CheckpointPath == null ? null : new CheckpointSession(run.CheckpointPath, config, objective, recipe, allRows);
        var history = new List<TrainingProgress>();
        int firstEpoch = 1;
        if (run.Resume) firstEpoch = Resume(session!, encoder, head, optimizer, best, history, validation != null);

        var clock = Stopwatch.StartNew();
        for (int epoch = firstEpoch; epoch <= recipe.Epochs && !best.ShouldStop; epoch++)
        {
            var random = EpochRandom(recipe.Seed, epoch);
            var sampler = NewSampler(train);
            var filler = NewFiller(train, epoch);
            var (height, width) = filler.Size;
            encoder.Network.train();
            double lossSum = 0, activeSum = 0, lr = recipe.LearningRate;
            for (int b = 1, step = (epoch - 1) * batches; b <= batches; b++, step++)
            {
                run.CancellationToken.ThrowIfCancellationRequested();
                lr = recipe.LearningRate * Schedules.Factor(recipe.Schedule, step, total);
                optimizer.LearningRate = lr;
                var batch = sampler.Next(random);
                var (values, labels) = filler.Fill(batch, random);
                using (var scope = NewDisposeScope())
                {
                    var x = encoder.Input(values.Span, labels.Length, device);
                    optimizer.ZeroGrad();
                    var outputs = encoder.ForwardUnnormalised(x, height, width);
                    var (loss, active, _) = tripletObjective.Compute(nn.functional.normalize(outputs, p: 2, dim: 1), labels, batch.GivenTriplets);
                    if (head != null) loss = loss.add(head.forward(outputs, tensor(labels, ScalarType.Int64, device)), alpha: headWeight);
                    loss.backward();
                    optimizer.Step();
                    lossSum += loss.item<float>();
                    activeSum += active;
                }
                run.Progress?.Report(new TrainingProgress
                {
                    Epoch = epoch, Epochs = recipe.Epochs, Batch = b, BatchesPerEpoch = batches,
                    Loss = lossSum / b, ActiveTripletFraction = activeSum / b, LearningRate = lr, Elapsed = clock.Elapsed,
                });
            }

            double score = validation == null ? double.NaN : ValidationScore.PrecisionAt1(encoder, validation);
            bool isBest = best.Record(score, () => ModuleWeights.ToBytes(encoder.Network));
            var report = new TrainingProgress
            {
                Epoch = epoch, Epochs = recipe.Epochs, Batch = batches, BatchesPerEpoch = batches, EpochCompleted = true,
                Loss = lossSum / batches, ActiveTripletFraction = activeSum / batches, ValidationPrecisionAt1 = score,
                LearningRate = lr, Elapsed = clock.Elapsed, IsBest = isBest,
            };
            history.Add(report);
            // The checkpoint is on disk before anyone hears of the epoch, so a cancellation from the report keeps it.
            session?.Save(epoch, best, ModuleWeights.ToBytes(encoder.Network), head == null ? null : ModuleWeights.ToBytes(head), optimizer.ToBytes(), history);
            run.Progress?.Report(report);
            run.Log?.Invoke($"epoch {epoch}/{recipe.Epochs}: loss {report.Loss:F4}, active triplets {report.ActiveTripletFraction:P1}, " +
                            $"validation precision@1 {score:F4}{(isBest ? " (best)" : "")}, {clock.Elapsed.TotalSeconds:F1}s");
            if (best.ShouldStop) run.Log?.Invoke($"early stop: no better validation score for {best.EpochsSinceBest} epochs");
        }
        if (best.Weights != null) ModuleWeights.Read(new MemoryStream(best.Weights), encoder.Network, "the best epoch's weights");
    }

    /// <summary>Restores the checkpoint's weights, optimiser, best epoch and history; returns the first epoch to train.</summary>
    private int Resume(CheckpointSession session, Encoder encoder, NormalizedSoftmaxLoss? head, AdamOptimizer optimizer, BestEpoch best, List<TrainingProgress> history, bool validated)
    {
        var checkpoint = session.Load();
        string path = session.Path;
        ModuleWeights.Read(new MemoryStream(checkpoint.Weights), encoder.Network, $"training checkpoint '{path}'");
        if (head != null)
            ModuleWeights.Read(new MemoryStream(checkpoint.HeadWeights ?? throw new InvalidDataException($"Training checkpoint '{path}' lacks the classification head's weights.")),
                head, $"training checkpoint '{path}' (classification head)");
        using (var reader = new BinaryReader(new MemoryStream(checkpoint.OptimizerState)))
            optimizer.Load(reader, $"training checkpoint '{path}'");
        best.Restore(checkpoint.BestScore, checkpoint.EpochsSinceBest, checkpoint.BestWeights);
        history.AddRange(checkpoint.History);
        ResumedHistory = checkpoint.History;
        run.Log?.Invoke($"resumed from '{path}' after epoch {checkpoint.CompletedEpochs}" + (validated ? $" (best validation precision@1 {best.Score:F4})" : ""));
        return checkpoint.CompletedEpochs + 1;
    }

    private static (TrainingSet Train, TrainingSet? Validation) Split(TrainingSet data, float fraction, Random random)
    {
        if (fraction <= 0) return (data, null);
        var order = Enumerable.Range(0, data.Count).ToArray();
        random.Shuffle(order);
        int holdout = (int)Math.Round(data.Count * (double)fraction);
        if (holdout < 2 || data.Count - holdout < 2)
            throw new InvalidOperationException($"Training.ValidationFraction {fraction} leaves {holdout} validation and {data.Count - holdout} training rows; each needs at least 2.");
        return (data.Subset(order[holdout..]), data.Subset(order[..holdout]));
    }
}
