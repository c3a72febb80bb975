using System.Diagnostics;
using MlNetSiamese.Training;

namespace MlNetSiamese.Bench;

/// <summary>
/// Item 1 of issue #6: images/s of the full training loop (P x K sampling, crop+flip augmentation, forward,
/// cosine distance, semi-hard mining, margin loss, backward, Adam step) on CIFAR-shaped synthetic data.
/// It runs the library's own <see cref="SiameseTrainer"/> (what <c>SiameseEmbeddingEstimator.Fit</c> calls after it has
/// read the IDataView) for one epoch of exactly warm-up + timed batches, and times the timed batches from the
/// trainer's per-batch progress reports, which it sends synchronously after each optimiser step.
/// </summary>
public static class TrainingBench
{
    public const int Channels = 3, Side = 32;

    public static void Run(Settings s, ResultLog log)
    {
        foreach (var kind in s.Encoders)
        {
            var encoder = Enum.Parse<EncoderKind>(kind);
            int batches = s.TrainWarmupBatches + s.TrainBatches;
            var set = SyntheticSet(s.TrainClasses, batches * s.BatchSize, seed: 7);
            var perRep = new List<double>();
            var peerPerRep = new List<double>();
            var peerCommands = new List<string>();
            System.Text.Json.Nodes.JsonObject? lastPeer = null;
            double loss = double.NaN, active = double.NaN;
            // Repetitions alternate between our loop and the peer's (one peer process per repetition, the same seed),
            // so that a slow drift of the machine affects both sides alike.
            for (int rep = 0; rep < s.Repetitions; rep++)
            {
                var options = Options(s, encoder, seed: rep + 1);
                options.Validate();   // as the estimator does before it trains
                var recorder = new BatchClock(s.TrainWarmupBatches, s.TrainWarmupBatches + s.TrainBatches);
                using (var trained = Trainer(options, recorder).Train(set))
                {
                    if (trained.Config.Kind != encoder) throw new InvalidOperationException($"Trained {trained.Config.Kind}, wanted {encoder}.");
                }
                if (recorder.BatchesSeen != batches) throw new InvalidOperationException($"The trainer ran {recorder.BatchesSeen} batches, expected {batches}.");
                perRep.Add(s.TrainBatches * s.BatchSize / recorder.TimedSeconds);
                loss = recorder.LastLoss; active = recorder.LastActive;
                Console.WriteLine($"  ours {kind} rep {rep + 1}: {perRep[^1]:F1} images/s");

                if (s.RunPeer)
                {
                    var peer = Peer.Run(s, log, "train", $"--encoder {kind} --classes {s.TrainClasses} --rows {batches * s.BatchSize} " +
                        $"--P {s.ClassesPerBatch} --K {s.SamplesPerClass} --warmup {s.TrainWarmupBatches} --batches {s.TrainBatches} --reps 1 --seed {rep + 1}");
                    if (peer != null)
                    {
                        peerPerRep.AddRange(peer["images_per_s"].Doubles());
                        peerCommands.Add(peer["command"]!.GetValue<string>());
                        lastPeer = peer;
                    }
                }
            }
            log.Add(Result.From("training", $"{kind} mlnet-loop", "images/s", Stats.Of(perRep), new()
            {
                ["encoder"] = kind, ["widths"] = string.Join(",", EncoderOptions.DefaultWidths(encoder)), ["embedding"] = 64, ["batch"] = s.BatchSize, ["P"] = s.ClassesPerBatch, ["K"] = s.SamplesPerClass,
                ["warmup_batches"] = s.TrainWarmupBatches, ["timed_batches"] = s.TrainBatches, ["threads"] = s.Threads,
                ["mean_loss_last_rep"] = loss, ["active_fraction_last_rep"] = active,
                ["path"] = "SiameseTrainer.Train (the estimator's loop), timed from its per-batch progress reports",
            }));
            if (lastPeer != null && peerPerRep.Count == s.Repetitions)
                log.Add(Result.From("training", $"{kind} pytorch-eager", "images/s", Stats.Of(peerPerRep), new()
                {
                    ["encoder"] = kind, ["batch"] = s.BatchSize, ["threads"] = lastPeer["threads"]?.GetValue<int>(), ["torch"] = lastPeer["torch"]?.GetValue<string>(),
                    ["mean_loss_last_rep"] = lastPeer["mean_loss_last_rep"]?.GetValue<double>(), ["active_fraction_last_rep"] = lastPeer["active_fraction_last_rep"]?.GetValue<double>(),
                    ["command"] = peerCommands[^1], ["commands"] = peerCommands.ToArray(),
                }));
        }
    }

    /// <summary>The trainer the estimator's <c>Fit</c> runs for these options, reporting to <paramref name="progress"/>.</summary>
    internal static SiameseTrainer Trainer(SiameseEmbeddingOptions options, IProgress<TrainingProgress> progress) =>
        new(options.ToEncoderConfig(options.ImageChannels * options.ImageHeight * options.ImageWidth), options.Objective, options.Training, new TrainingRun { Progress = progress });

    internal static SiameseEmbeddingOptions Options(Settings s, EncoderKind encoder, int seed) => new()
    {
        ImageChannels = Channels, ImageHeight = Side, ImageWidth = Side,
        // The library's default widths, which bench/peers/peer.py's WIDTHS repeats for the peer.
        Encoder = { Kind = encoder, Widths = EncoderOptions.DefaultWidths(encoder), EmbeddingDimension = 64 },
        Objective = { Mining = TripletMining.SemiHard, Distance = DistanceKind.Cosine, Loss = TripletLossKind.Margin, Margin = 0.4f, ClassesPerBatch = s.ClassesPerBatch, SamplesPerClass = s.SamplesPerClass },
        Training = { Epochs = 1, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3f, WeightDecay = 0, Schedule = LearningRateSchedule.Constant, AugmentCropPadding = 2, AugmentHorizontalFlip = true, ValidationFraction = 0, Seed = seed },
    };

    /// <summary>
    /// <paramref name="rows"/> random CIFAR-shaped images (uint8 pixels scaled to 0..1, as the data loaders do), classes
    /// assigned round-robin so every class has rows / classes members.
    /// </summary>
    internal static TrainingSet SyntheticSet(int classes, int rows, int seed)
    {
        const int size = Channels * Side * Side;
        var random = new Random(seed);
        var bytes = new byte[(long)rows * size];
        random.NextBytes(bytes);
        var features = new float[bytes.Length];
        for (long i = 0; i < bytes.Length; i++) features[i] = bytes[i] / 255f;
        var labels = Enumerable.Range(0, rows).Select(i => i % classes).ToArray();
        return new TrainingSet(features, labels, size);
    }

    /// <summary>Receives the trainer's synchronous per-batch reports and times batches (from, to].</summary>
    private sealed class BatchClock(int from, int to) : IProgress<TrainingProgress>
    {
        private long start, end;
        public int BatchesSeen { get; private set; }
        public double LastLoss { get; private set; } = double.NaN;
        public double LastActive { get; private set; } = double.NaN;
        public double TimedSeconds => Stopwatch.GetElapsedTime(start, end).TotalSeconds;

        public void Report(TrainingProgress value)
        {
            if (value.EpochCompleted) { LastLoss = value.Loss; LastActive = value.ActiveTripletFraction; return; }
            long now = Stopwatch.GetTimestamp();
            BatchesSeen = value.Batch;
            if (value.Batch == from) start = now;
            if (value.Batch == to) end = now;
        }
    }
}
