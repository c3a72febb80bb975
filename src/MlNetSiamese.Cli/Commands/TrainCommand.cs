using System.CommandLine;
using Microsoft.ML;
using MlNetSiamese.Cli.Output;

namespace MlNetSiamese.Cli.Commands;

/// <summary><c>train</c>: fit a Siamese embedding, write model.zip (atomically), metrics.json, plots and options.json.</summary>
public static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var data = new Option<string?>("--data") { Description = DataSource.DataHelp };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N training images." };
        var testLimit = new Option<int?>("--test-limit") { Description = "Use only the first N test images for the evaluation." };
        var output = new Option<string>("--out", "-o") { Description = "Output folder (model.zip, metrics.json, plots, options.json).", DefaultValueFactory = _ => "siamese-model" };
        var preset = new Option<string?>("--preset") { Description = "article (the article's setup) or best (FastConvNet, semi-hard mining + classification loss, AdamW, augmentation; for colour images also label smoothing, training on 3/4-side crops first and the test-time flip). Explicit options override it." };
        preset.AcceptOnlyFromAmong("article", "best");
        var encoder = new Option<EncoderKind?>("--encoder") { Description = "ConvNet, FastConvNet, ResNet or Mlp." };
        var widths = new Option<string?>("--widths") { Description = "Encoder stage widths, e.g. 32,64,128 (FastConvNet: stem width first, e.g. 24,48,192,192)." };
        var dim = new Option<int?>("--dim") { Description = "Embedding dimension (default 64)." };
        var epochs = new Option<int?>("--epochs") { Description = "Training epochs (default 10)." };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var mining = new Option<TripletMining?>("--mining") { Description = "OfflineRandom, BatchAll, BatchHard or SemiHard." };
        var loss = new Option<TripletLossKind?>("--loss") { Description = "Margin or SoftMargin." };
        var distance = new Option<DistanceKind?>("--distance") { Description = "Cosine or Euclidean." };
        var margin = new Option<float?>("--margin") { Description = "Triplet margin." };
        var p = new Option<int?>("--classes-per-batch", "-P") { Description = "Classes per batch (P)." };
        var k = new Option<int?>("--samples-per-class", "-K") { Description = "Samples per class (K)." };
        var classification = new Option<float?>("--classification-weight") { Description = "Weight of the auxiliary normalised-softmax classification loss (0 = triplet loss only)." };
        var smoothing = new Option<float?>("--label-smoothing") { Description = "Label smoothing of the classification loss, in [0, 1)." };
        var triplets = new Option<int?>("--triplets-per-batch") { Description = "Triplets per batch (offline random mining)." };
        var tripletWeight = new Option<float?>("--triplet-weight") { Description = "Weight of the triplet loss (default 1; 0 = the classification loss alone)." };
        var classificationHead = new Option<ClassificationHeadKind?>("--classification-head") { Description = "NormalizedSoftmax (default) or Linear (plain softmax on the output before normalisation, airbench's head)." };
        var batchSize = new Option<int?>("--batch-size") { Description = "Online mining from random batches of this many rows instead of P x K (0 = P x K)." };
        var optimizer = new Option<OptimizerKind?>("--optimizer") { Description = "Adam, AdamW or Sgd (Nesterov, --momentum)." };
        var momentum = new Option<float?>("--momentum") { Description = "SGD momentum (default 0.9)." };
        var normBiasScale = new Option<float?>("--norm-bias-lr-scale") { Description = "Learning-rate multiplier of batch-norm shifts (their weight decay is divided by it; default 1)." };
        var lookahead = new Option<bool?>("--lookahead") { Description = "airbench's lookahead: from 30 % of the run, every 5 steps, average the weights into a slow copy and restart from it." };
        var identityInit = new Option<bool?>("--identity-init") { Description = "Start convolutions as partial identities (dirac initialisation)." };
        var whitenedStem = new Option<bool?>("--whitened-stem") { Description = "FastConvNet: a fixed 2x2 whitening stem set from the training images (width 2 x channels x 4)." };
        var lr = new Option<float?>("--lr") { Description = "Learning rate." };
        var wd = new Option<float?>("--weight-decay") { Description = "Weight decay." };
        var schedule = new Option<LearningRateSchedule?>("--schedule") { Description = "Constant, Cosine or Triangular." };
        var averaging = new Option<float?>("--weight-averaging") { Description = "Decay of an exponential moving average of the weights, per step (e.g. 0.999); validation and the saved model use the average; 0 = off." };
        var crop = new Option<int?>("--augment-crop") { Description = "Random-crop padding in pixels (0 = off)." };
        var flip = new Option<bool?>("--augment-flip") { Description = "Random horizontal flips." };
        var erase = new Option<float?>("--augment-erase") { Description = "Random erasing: probability that a training image gets a rectangle of 2-40 % of its area filled with noise (0 = off)." };
        var trainCrop = new Option<int?>("--train-crop") { Description = "Train the first --train-crop-fraction of the epochs on random square crops of this side (e.g. 24 for 32x32 images: about 0.6 of the time per epoch), the rest on whole images; 0 = off." };
        var trainCropFraction = new Option<float?>("--train-crop-fraction") { Description = "Share of the epochs, the first ones, trained on --train-crop crops (default 0.67)." };
        var testFlip = new Option<bool?>("--test-time-flip") { Description = "Embed each image and its mirror image and average them (in the saved model; twice the inference compute)." };
        var testShift = new Option<bool?>("--test-time-shift") { Description = "Also embed the image moved one pixel diagonally each way and combine (in the saved model; three times the inference compute)." };
        var validation = new Option<float?>("--validation-fraction") { Description = "Share of the training set held out for validation P@1." };
        var patience = new Option<int?>("--patience") { Description = "Early-stopping patience in epochs (needs --validation-fraction)." };
        var imageSize = new Option<int>("--image-size") { Description = "Image folders: side length images are resized to.", DefaultValueFactory = _ => 32 };
        var grayscale = new Option<bool>("--grayscale") { Description = "Image folders: decode as one grey channel." };
        var calibrationFraction = new Option<float>("--calibration-fraction")
        {
            Description = $"Share of the training images held out (never trained on) to choose the same/different threshold in calibration.json, at most {MaxCalibrationImages:N0} images; 0 = none.",
            DefaultValueFactory = _ => 0.1f,
        };
        var resume = new Option<bool>("--resume") { Description = $"Continue an interrupted run from {ModelFiles.CheckpointFileName} in --out (same data and options)." };

        var command = new Command("train", "Train a Siamese embedding model and evaluate it on the test split.")
        {
            data, limit, testLimit, output, preset, encoder, widths, dim, epochs, seed, mining, loss, distance, margin, p, k, triplets, classification, smoothing,
            tripletWeight, classificationHead, batchSize, optimizer, momentum, normBiasScale, lookahead, identityInit, whitenedStem, lr, wd, schedule, averaging, crop, flip, erase, trainCrop, trainCropFraction, testFlip, testShift, validation, patience, imageSize, grayscale, calibrationFraction, resume,
        };
        command.SetAction(r => context.Guard("train", () =>
        {
            var ui = new Ui(context);
            string outDir = r.GetValue(output)!;
            string? dataDir = r.GetValue(data);
            int s = r.GetValue(seed);
            var ml = new MLContext(s);
            var shape = new ImageShape(r.GetValue(grayscale) ? 1 : 3, r.GetValue(imageSize), r.GetValue(imageSize));
            if (shape.Width < 4) throw new UsageException($"--image-size must be at least 4; got {shape.Width}.");
            float calFraction = r.GetValue(calibrationFraction);
            if (!(calFraction >= 0 && calFraction < 0.5f)) throw new UsageException($"--calibration-fraction must be in [0, 0.5); got {calFraction}.");
            var all = DataSource.Load(ml, dataDir, DataSplit.Train, r.GetValue(limit), shape, s);
            var test = DataSource.Load(ml, dataDir, DataSplit.Test, r.GetValue(testLimit), shape, s);
            var (train, calibrationSet) = HoldOut(all, calFraction, s);
            ui.Line($"data: {dataDir ?? "Fashion-MNIST"}  train {train.Count}  test {test.Count}  images {train.Channels}x{train.Height}x{train.Width}  classes {train.ClassNames.Count}" +
                    (calibrationSet != null ? $"  (+{calibrationSet.Count} held out for calibration)" : ""));

            var options = new SiameseEmbeddingOptions
            {
                ImageChannels = train.Channels, ImageHeight = train.Height, ImageWidth = train.Width, Seed = s,
            };
            Presets.Apply(r.GetValue(preset), options);
            if (r.GetValue(encoder) is { } e) options.Encoder = e;
            if (r.GetValue(widths) is { } w) options.EncoderWidths = ParseWidths(w);
            if (r.GetValue(dim) is { } d) options.EmbeddingDimension = d;
            if (r.GetValue(epochs) is { } ep) options.Epochs = ep;
            if (r.GetValue(mining) is { } mi) options.Mining = mi;
            if (r.GetValue(loss) is { } lo) options.Loss = lo;
            if (r.GetValue(distance) is { } di) options.Distance = di;
            if (r.GetValue(margin) is { } ma) options.Margin = ma;
            if (r.GetValue(p) is { } pv) options.ClassesPerBatch = pv;
            if (r.GetValue(k) is { } kv) options.SamplesPerClass = kv;
            if (r.GetValue(triplets) is { } t) options.TripletsPerBatch = t;
            if (r.GetValue(classification) is { } cw) options.ClassificationLossWeight = cw;
            if (r.GetValue(smoothing) is { } ls) options.ClassificationLabelSmoothing = ls;
            if (r.GetValue(tripletWeight) is { } tw) options.TripletLossWeight = tw;
            if (r.GetValue(classificationHead) is { } ch) options.ClassificationHead = ch;
            if (r.GetValue(batchSize) is { } bs) options.BatchSize = bs;
            if (r.GetValue(optimizer) is { } o) options.Optimizer = o;
            if (r.GetValue(momentum) is { } mo) options.Momentum = mo;
            if (r.GetValue(normBiasScale) is { } nb) options.NormBiasLearningRateScale = nb;
            if (r.GetValue(lookahead) is { } la) options.Lookahead = la;
            if (r.GetValue(identityInit) is { } ii) options.IdentityInitialization = ii;
            if (r.GetValue(whitenedStem) is { } wsv) options.WhitenedStem = wsv;
            if (r.GetValue(lr) is { } l) options.LearningRate = l;
            if (r.GetValue(wd) is { } wdv) options.WeightDecay = wdv;
            if (r.GetValue(schedule) is { } sc) options.Schedule = sc;
            if (r.GetValue(averaging) is { } wa) options.WeightAveragingDecay = wa;
            if (r.GetValue(crop) is { } c) options.AugmentCropPadding = c;
            if (r.GetValue(flip) is { } f) options.AugmentHorizontalFlip = f;
            if (r.GetValue(erase) is { } er) options.AugmentErasingProbability = er;
            if (r.GetValue(trainCrop) is { } tc) options.TrainingCropSize = tc;
            if (r.GetValue(trainCropFraction) is { } tcf) options.TrainingCropFraction = tcf;
            if (r.GetValue(testFlip) is { } tf) options.TestTimeFlip = tf;
            if (r.GetValue(testShift) is { } ts) options.TestTimeShift = ts;
            if (r.GetValue(validation) is { } v) options.ValidationFraction = v;
            if (r.GetValue(patience) is { } pa) options.EarlyStoppingPatience = pa;
            options.ClassesPerBatch = Math.Min(options.ClassesPerBatch, Math.Max(2, train.ClassNames.Count));
            try { options.Validate(); }
            catch (ArgumentException ex) { throw new UsageException(ex.Message + " Fix the matching option (mlnet-siamese train --help)."); }
            options.CancellationToken = context.CancellationToken;

            Directory.CreateDirectory(outDir);
            string modelPath = Path.Combine(outDir, ModelFiles.ModelFileName);
            options.CheckpointPath = Path.Combine(outDir, ModelFiles.CheckpointFileName);
            options.ResumeFromCheckpoint = r.GetValue(resume);
            if (options.ResumeFromCheckpoint && !File.Exists(options.CheckpointPath))
                throw new UsageException($"--resume: there is no checkpoint '{options.CheckpointPath}' to continue from. Run the same command without --resume.");
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.SiameseEmbed(options));
            Microsoft.ML.Data.TransformerChain<SiameseEmbeddingTransformer> model;
            try
            {
                model = TrainingView.Run(context, options.Epochs, progress =>
                {
                    options.Progress = progress;
                    return pipeline.Fit(train);
                });
                context.CancellationToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException) when (File.Exists(options.CheckpointPath))
            {
                context.Error.WriteLine($"train: the checkpoint of the last completed epoch is kept in '{options.CheckpointPath}'; " +
                                        "continue with the same command and --resume.");
                throw;
            }
            ModelFiles.SaveAtomic(ml, model, train.Schema, modelPath);
            ResultFiles.WriteJson(Path.Combine(outDir, ResultFiles.OptionsFileName), new
            {
                preset = r.GetValue(preset), data = dataDir ?? "fashion-mnist (default search)", limit = r.GetValue(limit), testLimit = r.GetValue(testLimit),
                options = OptionsDictionary(options),
            });
            ui.Line($"model: {modelPath}");
            var embedder = ModelFiles.FindEmbedder(model)!;
            object? calibration = null;
            float? threshold = null;
            string calibrationFile = Path.Combine(outDir, ModelFiles.CalibrationFileName);
            if (calibrationSet != null && EvaluateCommand.Calibrate(context, ml, EvaluateCommand.Embed(ml, embedder, calibrationSet), s) is { } chosen)
            {
                calibration = ResultFiles.CalibrationDocument(chosen, $"{calibrationSet.Count} training images held out from training (--calibration-fraction {calFraction})");
                ResultFiles.WriteJson(calibrationFile, calibration);
                threshold = chosen.Threshold;
            }
            else if (File.Exists(calibrationFile)) File.Delete(calibrationFile);   // it belonged to the model just replaced
            EvaluateCommand.EvaluateAndWrite(context, ui, ml, embedder, test, EvaluateCommand.Embed(ml, embedder, test), outDir, s,
                new { source = dataDir ?? "fashion-mnist", split = "test", rows = test.Count }, embedder.History, threshold, calibration);
            return Program.Success;
        }));
        return command;
    }

    /// <summary>Calibration pairs from 2,000 images are plenty; more would only be taken from training.</summary>
    public const int MaxCalibrationImages = 2000;

    /// <summary>A seeded share of the training images set aside (never trained on) for threshold calibration.</summary>
    private static (InMemoryImageDataView Train, InMemoryImageDataView? Calibration) HoldOut(InMemoryImageDataView all, float fraction, int seed)
    {
        int held = Math.Min(MaxCalibrationImages, (int)Math.Round(all.Count * (double)fraction));
        if (fraction == 0) return (all, null);
        if (held < 2 || all.Count - held < 2)
            throw new UsageException($"--calibration-fraction {fraction} of {all.Count} training images holds out {held}; raise --limit or set --calibration-fraction 0.");
        var order = Enumerable.Range(0, all.Count).ToArray();
        new Random(unchecked(seed + 17)).Shuffle(order);
        var calibration = order[..held]; var train = order[held..];
        Array.Sort(calibration); Array.Sort(train);
        return (DataSource.Subset(all, train), DataSource.Subset(all, calibration));
    }

    public static int[] ParseWidths(string text)
    {
        try { return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray(); }
        catch (FormatException) { throw new UsageException($"--widths must be comma-separated integers such as 32,64,128; got '{text}'."); }
    }

    public static Dictionary<string, object?> OptionsDictionary(SiameseEmbeddingOptions options)
        => typeof(SiameseEmbeddingOptions).GetProperties()
            .Where(pi => pi.Name is not (nameof(SiameseEmbeddingOptions.Progress) or nameof(SiameseEmbeddingOptions.CancellationToken)))
            .ToDictionary(pi => pi.Name, pi => pi.GetValue(options));
}

/// <summary>--preset article | best.</summary>
public static class Presets
{
    public static void Apply(string? preset, SiameseEmbeddingOptions o)
    {
        switch (preset)
        {
            case null: return;
            case "article":
                o.Encoder = EncoderKind.ConvNet; o.Mining = TripletMining.OfflineRandom; o.Distance = DistanceKind.Cosine;
                o.Loss = TripletLossKind.Margin; o.Margin = 0.4f; o.Optimizer = OptimizerKind.Adam; o.LearningRate = 1e-4f;
                o.TripletsPerBatch = 64; o.Schedule = LearningRateSchedule.Constant; o.ValidationFraction = 0.1f; o.EarlyStoppingPatience = 2;
                return;
            case "best":
                // What measured best on this 2-core CPU within the bench's time budgets (bench/RESULTS.md): FastConvNet
                // with its default widths 16-32-128-128 (the ConvNet's compute per image, more accuracy per minute; an
                // --encoder given with the preset gets that encoder's defaults, not these), every class in each batch
                // (P x K = 10 x 8 on CIFAR-10 / Fashion-MNIST), semi-hard mining plus the auxiliary normalised-softmax
                // loss, AdamW with cosine decay, crop augmentation; for colour images also flips in training and the
                // test-time flip (Fashion-MNIST's shoes and bags face one way: flips cost precision there), training on
                // smaller crops first and label smoothing 0.2 (neither gained on Fashion-MNIST).
                o.Encoder = EncoderKind.FastConvNet; o.EncoderWidths = null; o.Mining = TripletMining.SemiHard; o.Distance = DistanceKind.Cosine;
                o.Loss = TripletLossKind.Margin; o.Margin = 0.2f; o.ClassesPerBatch = 10; o.SamplesPerClass = 8;
                o.ClassificationLossWeight = 1f; o.ClassificationLabelSmoothing = o.ImageChannels == 3 ? 0.2f : 0f;
                o.Optimizer = OptimizerKind.AdamW; o.LearningRate = 2e-3f; o.WeightDecay = 5e-4f; o.Schedule = LearningRateSchedule.Cosine;
                o.AugmentCropPadding = 2; o.AugmentHorizontalFlip = o.TestTimeFlip = o.ImageChannels == 3; o.ValidationFraction = 0.05f;
                // Colour images: the first two thirds of the epochs on random crops of three quarters of the side (24 x 24
                // of CIFAR-10's 32 x 32: about 0.6 of the time per epoch, so more epochs fit the budget), then whole images.
                int crop = (int)Math.Round(0.75 * Math.Min(o.ImageHeight, o.ImageWidth));
                o.TrainingCropSize = o.ImageChannels == 3 && crop >= SiameseEmbeddingOptions.MinTrainingCropSize ? crop : 0;   // too small images: off
                o.TrainingCropFraction = 0.67f;
                return;
            default: throw new UsageException($"Unknown preset '{preset}'. Use --preset article or --preset best.");
        }
    }
}
