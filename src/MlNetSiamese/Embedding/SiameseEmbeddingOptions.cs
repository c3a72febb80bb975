namespace MlNetSiamese;

/// <summary>Options of <c>mlContext.Transforms.SiameseEmbed</c>: columns, encoder, triplet loss and training.</summary>
public sealed class SiameseEmbeddingOptions
{
    // ---- Columns ----
    /// <summary>Input column: a fixed-size vector of float (pixels in planar CHW order, scaled 0..1, for images). Default "Features".</summary>
    public string InputColumnName { get; set; } = "Features";
    /// <summary>Output column: the L2-normalised embedding, a vector of float. Default "Embedding".</summary>
    public string OutputColumnName { get; set; } = "Embedding";
    /// <summary>Label column used for training only: key (as after MapValueToKey), string, or numeric. Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    // ---- Input shape and encoder ----
    /// <summary>Image channels (1 grey, 3 RGB); 0 with height and width 0 means a plain feature vector (MLP encoder).</summary>
    public int ImageChannels { get; set; }
    /// <summary>Image height in pixels, or 0.</summary>
    public int ImageHeight { get; set; }
    /// <summary>Image width in pixels, or 0.</summary>
    public int ImageWidth { get; set; }
    /// <summary>Encoder network; <see cref="EncoderKind.Auto"/> takes ConvNet for images and MLP for vectors.</summary>
    public EncoderKind Encoder { get; set; } = EncoderKind.Auto;
    /// <summary>Stage widths (ConvNet/ResNet channels; FastConvNet the stem's, then each stage's) or hidden layer sizes (MLP); null
    /// takes the encoder's defaults (ConvNet and ResNet 32-64-128, FastConvNet 16-32-128-128, MLP 256-256).</summary>
    public int[]? EncoderWidths { get; set; }
    /// <summary>Length of the embedding. Default 64.</summary>
    public int EmbeddingDimension { get; set; } = 64;

    // ---- Triplet loss ----
    /// <summary>Distance used by the loss and the miner. Default cosine (1 - cos).</summary>
    public DistanceKind Distance { get; set; } = DistanceKind.Cosine;
    /// <summary>Loss shape. Default margin.</summary>
    public TripletLossKind Loss { get; set; } = TripletLossKind.Margin;
    /// <summary>Margin of the margin loss, in distance units. Default 0.4 (the reference article's cosine margin).</summary>
    public float Margin { get; set; } = 0.4f;
    /// <summary>Triplet selection. Default semi-hard online mining.</summary>
    public TripletMining Mining { get; set; } = TripletMining.SemiHard;
    /// <summary>Classes per batch (P) for online mining. Default 16.</summary>
    public int ClassesPerBatch { get; set; } = 16;
    /// <summary>Samples per class (K) for online mining; at least 2. Default 4.</summary>
    public int SamplesPerClass { get; set; } = 4;
    /// <summary>Triplets per batch for <see cref="TripletMining.OfflineRandom"/>. Default 64.</summary>
    public int TripletsPerBatch { get; set; } = 64;
    /// <summary>
    /// Online mining from batches of this many rows in a random order (one pass over the data an epoch, the last
    /// incomplete batch dropped) instead of <see cref="ClassesPerBatch"/> x <see cref="SamplesPerClass"/>: for large
    /// batches over few classes (airbench trains CIFAR-10 on batches of 1,024), where nearly every row has positives
    /// anyway. 0 (default) keeps the P x K batches; otherwise at least 2. Not for offline triplets.
    /// </summary>
    public int BatchSize { get; set; }

    /// <summary>Weight of an auxiliary normalised-softmax classification loss on the embeddings (one learned direction
    /// per class, scale 16), added to the triplet loss; 0 (default) trains with the triplet loss only. The class
    /// directions are used in training only and are not saved.</summary>
    public float ClassificationLossWeight { get; set; }
    /// <summary>Weight of the triplet loss; >= 0. 0 trains on the classification loss alone (then
    /// <see cref="ClassificationLossWeight"/> must be > 0), without mining. Default 1.</summary>
    public float TripletLossWeight { get; set; } = 1f;
    /// <summary>Label smoothing of the classification loss (see <see cref="ClassificationLossWeight"/>): the target puts
    /// this share of its weight evenly on all classes instead of all on the label; in [0, 1). Default 0.</summary>
    public float ClassificationLabelSmoothing { get; set; }
    /// <summary>The classification loss's head (see <see cref="ClassificationLossWeight"/>). Default normalised softmax.</summary>
    public ClassificationHeadKind ClassificationHead { get; set; } = ClassificationHeadKind.NormalizedSoftmax;

    // ---- Optimisation ----
    /// <summary>Passes over the training data; at least 1. Default 10.</summary>
    public int Epochs { get; set; } = 10;
    /// <summary>Optimiser. Default Adam.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;
    /// <summary>Initial learning rate. Default 1e-3.</summary>
    public float LearningRate { get; set; } = 1e-3f;
    /// <summary>Weight decay. Default 0.</summary>
    public float WeightDecay { get; set; }
    /// <summary>Momentum of <see cref="OptimizerKind.Sgd"/> (Nesterov); in [0, 1). Default 0.9.</summary>
    public float Momentum { get; set; } = 0.9f;
    /// <summary>
    /// The learning rate of batch-norm shifts (biases) is this many times <see cref="LearningRate"/>, and their weight
    /// decay divided by it, so the decay per step stays the same (airbench's bias scaler, 64). Any optimiser; > 0.
    /// Default 1.
    /// </summary>
    public float NormBiasLearningRateScale { get; set; } = 1f;
    /// <summary>Learning-rate schedule. Default cosine decay.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Cosine;
    /// <summary>
    /// Weight averaging: after every optimiser step an exponential moving average of the weights moves toward the
    /// trained ones with this decay per step (0.999 averages over about the last thousand steps; the first steps use
    /// less, <c>(1 + step) / (10 + step)</c>). Validation, the best-epoch choice and the saved model use the average;
    /// training continues from the trained weights. In [0, 1); 0 (default) turns it off.
    /// </summary>
    public float WeightAveragingDecay { get; set; }
    /// <summary>
    /// airbench's lookahead: from 30 % of the run on, every 5 steps the weights are averaged into a slow copy with a
    /// decay that grows with the step (0.95^5 x (step / total steps)^3) and training restarts from the slow copy; at
    /// every epoch's end the network takes the slow copy. Default false.
    /// </summary>
    public bool Lookahead { get; set; }
    /// <summary>
    /// Start every convolution as a partial identity (airbench's dirac initialisation): its first min(out, in) filters
    /// pass their own input channel through at the kernel's centre, the others keep the default random start.
    /// Default false.
    /// </summary>
    public bool IdentityInitialization { get; set; }
    /// <summary>
    /// FastConvNet only: airbench's whitened stem, a 2x2 convolution fixed to the whitening of the training images'
    /// patches (their covariance's eigenvectors, scaled to unit variance, with both signs) instead of a trained 3x3
    /// convolution with batch norm; its width is 2 x channels x 4 (24 for colour images; the default widths take it,
    /// given widths must start with it). Stored in the saved model. Default false.
    /// </summary>
    public bool WhitenedStem { get; set; }

    // ---- Augmentation (images only) ----
    /// <summary>Random crop after zero padding by this many pixels; 0 turns it off. Default 0.</summary>
    public int AugmentCropPadding { get; set; }
    /// <summary>Random horizontal flip. Default false.</summary>
    public bool AugmentHorizontalFlip { get; set; }
    /// <summary>
    /// Random erasing (Zhong et al.): the probability that a training image gets one rectangle of 2-40 % of its area,
    /// aspect ratio 0.3 to 3.3, filled with uniform random values in [0, 1) (after the crop and flip, on whole images
    /// and on <see cref="TrainingCropSize"/> crops). In [0, 1]; images only; 0 (default) turns it off.
    /// </summary>
    public float AugmentErasingProbability { get; set; }
    /// <summary>
    /// Train the first <see cref="TrainingCropFraction"/> of the epochs on random square crops of this side length
    /// (taken anywhere inside the image, flipped when <see cref="AugmentHorizontalFlip"/> is set; no
    /// <see cref="AugmentCropPadding"/>), and the rest on whole images. Every image encoder ends in a global pool, so
    /// the network is the same at both sizes; a crop costs about its share of the pixels (24 x 24 crops of 32 x 32
    /// images: about 0.6 of the time per epoch on CIFAR-10), so more epochs fit in the same minutes. The model always embeds whole images.
    /// Images only; 0 (default) turns it off; otherwise at least 8 and smaller than the image's height and width.
    /// </summary>
    public int TrainingCropSize { get; set; }
    /// <summary>Share of the epochs, the first ones, that train on <see cref="TrainingCropSize"/> crops (rounded to whole
    /// epochs); in [0, 1]. Default 0.67.</summary>
    public float TrainingCropFraction { get; set; } = 0.67f;
    /// <summary>
    /// Embed each image and its mirror image (left-right) and average the two (test-time augmentation), in the trained
    /// model and in training's validation. Suits encoders trained with <see cref="AugmentHorizontalFlip"/>; twice the
    /// inference compute. Images only; stored in the saved model. Default false.
    /// </summary>
    public bool TestTimeFlip { get; set; }
    /// <summary>
    /// Also embed the image moved by one pixel diagonally each way (down-right and up-left, border reflected), and
    /// combine: the image's own embedding weighs as much as the two shifted ones together (airbench's test-time
    /// augmentation); with <see cref="TestTimeFlip"/> each view is flip-averaged too. In the trained model and in
    /// training's validation; three times the inference compute. Images only; stored in the saved model. Default false.
    /// </summary>
    public bool TestTimeShift { get; set; }

    // ---- Validation and early stopping ----
    /// <summary>Fraction of the training rows held out to pick the best epoch (leave-one-out precision@1); 0 keeps the last epoch. Default 0.</summary>
    public float ValidationFraction { get; set; }
    /// <summary>Stop after this many epochs without a better validation score; 0 never stops early. Needs a validation split.</summary>
    public int EarlyStoppingPatience { get; set; }

    // ---- Checkpoints ----
    /// <summary>When set, the training state (current and best weights, optimiser state, history) is written to this
    /// file after every epoch, atomically; a cancelled or failed run keeps the last completed epoch's checkpoint.</summary>
    public string? CheckpointPath { get; set; }
    /// <summary>Continue from <see cref="CheckpointPath"/> after its last completed epoch (same data, seed and encoder
    /// required): the result equals an uninterrupted run's on CPU. Default false.</summary>
    public bool ResumeFromCheckpoint { get; set; }

    // ---- Run ----
    /// <summary>Seed for weights, batches, triplets and augmentation: the same seed on CPU gives the same weights.</summary>
    public int Seed { get; set; }
    /// <summary>Torch device: "cpu" (default) or e.g. "cuda:0" when a CUDA build of TorchSharp is referenced.</summary>
    public string Device { get; set; } = "cpu";
    /// <summary>Rows per encoder call when transforming; does not change the embeddings. Default 64.</summary>
    public int InferenceBatchSize { get; set; } = 64;
    /// <summary>Receives a report after every batch and every epoch.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }
    /// <summary>Stops training after the current batch with <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        static void Check(bool ok, string name, object value, string expected)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"SiameseEmbeddingOptions.{name} must be {expected}; got {value}.");
        }
        Check(!string.IsNullOrWhiteSpace(InputColumnName), nameof(InputColumnName), InputColumnName ?? "null", "a column name");
        Check(!string.IsNullOrWhiteSpace(OutputColumnName), nameof(OutputColumnName), OutputColumnName ?? "null", "a column name");
        Check(!string.IsNullOrWhiteSpace(LabelColumnName), nameof(LabelColumnName), LabelColumnName ?? "null", "a column name");
        bool vector = ImageChannels == 0 && ImageHeight == 0 && ImageWidth == 0;
        Check(vector || (ImageChannels > 0 && ImageHeight > 0 && ImageWidth > 0), nameof(ImageChannels), $"{ImageChannels}x{ImageHeight}x{ImageWidth}", "all > 0 for images or all 0 for plain vectors (ImageChannels x ImageHeight x ImageWidth)");
        Check(!(vector && Encoder is EncoderKind.ConvNet or EncoderKind.ResNet or EncoderKind.FastConvNet), nameof(Encoder), Encoder, "Mlp or Auto when the input is a plain vector (set ImageChannels/ImageHeight/ImageWidth for images)");
        Check(!(vector && TestTimeFlip), nameof(TestTimeFlip), TestTimeFlip, "false when the input is a plain vector (it mirrors images)");
        Check(!(vector && TestTimeShift), nameof(TestTimeShift), TestTimeShift, "false when the input is a plain vector (it shifts images)");
        Check(EncoderWidths == null || EncoderWidths.Length > 0 && EncoderWidths.All(w => w is > 0 and <= EncoderConfig.MaxWidth), nameof(EncoderWidths), EncoderWidths == null ? "null" : string.Join(",", EncoderWidths), $"null or widths in 1..{EncoderConfig.MaxWidth}");
        Check(!(Encoder == EncoderKind.FastConvNet && EncoderWidths is { Length: < 2 }), nameof(EncoderWidths), EncoderWidths == null ? "null" : string.Join(",", EncoderWidths), "null or at least two widths for FastConvNet (the stem's, then each stage's)");
        Check(EmbeddingDimension is > 0 and <= EncoderConfig.MaxWidth, nameof(EmbeddingDimension), EmbeddingDimension, $"in 1..{EncoderConfig.MaxWidth}");
        Check(Margin >= 0 && float.IsFinite(Margin), nameof(Margin), Margin, ">= 0");
        Check(ClassesPerBatch >= 2, nameof(ClassesPerBatch), ClassesPerBatch, ">= 2");
        Check(SamplesPerClass >= 2, nameof(SamplesPerClass), SamplesPerClass, ">= 2 (an anchor needs a positive)");
        Check(TripletsPerBatch >= 1, nameof(TripletsPerBatch), TripletsPerBatch, ">= 1");
        Check(BatchSize == 0 || BatchSize >= 2, nameof(BatchSize), BatchSize, "0 (P x K batches) or >= 2");
        Check(BatchSize == 0 || Mining != TripletMining.OfflineRandom, nameof(BatchSize), BatchSize, "0 with OfflineRandom mining (its batches are TripletsPerBatch triplets)");
        Check(Momentum is >= 0 and < 1, nameof(Momentum), Momentum, "in [0, 1)");
        Check(NormBiasLearningRateScale > 0 && float.IsFinite(NormBiasLearningRateScale), nameof(NormBiasLearningRateScale), NormBiasLearningRateScale, "> 0");
        Check(!WhitenedStem || Encoder == EncoderKind.FastConvNet, nameof(WhitenedStem), WhitenedStem, "false unless Encoder is FastConvNet");
        Check(!WhitenedStem || EncoderWidths == null || EncoderWidths[0] == 8 * ImageChannels, nameof(EncoderWidths), EncoderWidths == null ? "null" : string.Join(",", EncoderWidths),
            $"null or starting with the whitened stem's width 2 x channels x 4 = {8 * ImageChannels}");
        Check(ClassificationLossWeight >= 0 && float.IsFinite(ClassificationLossWeight), nameof(ClassificationLossWeight), ClassificationLossWeight, ">= 0");
        Check(TripletLossWeight >= 0 && float.IsFinite(TripletLossWeight), nameof(TripletLossWeight), TripletLossWeight, ">= 0");
        Check(TripletLossWeight > 0 || ClassificationLossWeight > 0, nameof(TripletLossWeight), TripletLossWeight, "> 0 unless ClassificationLossWeight > 0 (something must be trained)");
        Check(TripletLossWeight > 0 || Mining != TripletMining.OfflineRandom, nameof(TripletLossWeight), TripletLossWeight, "> 0 with OfflineRandom mining (its batches are triplets)");
        Check(Epochs >= 1, nameof(Epochs), Epochs, ">= 1");
        Check(LearningRate > 0 && float.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "> 0");
        Check(WeightDecay >= 0 && float.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, ">= 0");
        Check(ClassificationLabelSmoothing is >= 0 and < 1, nameof(ClassificationLabelSmoothing), ClassificationLabelSmoothing, "in [0, 1)");
        Check(WeightAveragingDecay is >= 0 and < 1, nameof(WeightAveragingDecay), WeightAveragingDecay, "in [0, 1) (0 = off)");
        Check(AugmentCropPadding >= 0, nameof(AugmentCropPadding), AugmentCropPadding, ">= 0");
        Check(AugmentErasingProbability is >= 0 and <= 1, nameof(AugmentErasingProbability), AugmentErasingProbability, "in [0, 1]");
        Check(!(vector && AugmentErasingProbability != 0), nameof(AugmentErasingProbability), AugmentErasingProbability, "0 when the input is a plain vector (it erases parts of images)");
        Check(!(vector && TrainingCropSize != 0), nameof(TrainingCropSize), TrainingCropSize, "0 when the input is a plain vector (it crops images)");
        Check(TrainingCropSize == 0 || vector || TrainingCropSize >= MinTrainingCropSize && TrainingCropSize < Math.Min(ImageHeight, ImageWidth), nameof(TrainingCropSize), TrainingCropSize,
            $"0 (off) or from {MinTrainingCropSize} to below the image's smaller side ({ImageHeight}x{ImageWidth} images)");
        Check(TrainingCropFraction is >= 0 and <= 1, nameof(TrainingCropFraction), TrainingCropFraction, "in [0, 1]");
        Check(ValidationFraction is >= 0 and < 1, nameof(ValidationFraction), ValidationFraction, "in [0, 1)");
        Check(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), EarlyStoppingPatience, ">= 0");
        Check(EarlyStoppingPatience == 0 || ValidationFraction > 0, nameof(EarlyStoppingPatience), EarlyStoppingPatience, "0 unless ValidationFraction > 0 (early stopping watches the validation split)");
        Check(!ResumeFromCheckpoint || !string.IsNullOrWhiteSpace(CheckpointPath), nameof(ResumeFromCheckpoint), ResumeFromCheckpoint, "false unless CheckpointPath names the checkpoint to resume from");
        Check(InferenceBatchSize >= 1, nameof(InferenceBatchSize), InferenceBatchSize, ">= 1");
        try { _ = new TorchSharp.torch.Device(Device); }
        catch (Exception) { Check(false, nameof(Device), Device, "a torch device such as \"cpu\" or \"cuda:0\""); }
    }

    /// <summary>The smallest <see cref="TrainingCropSize"/>: the image encoders with their default widths halve the resolution three
    /// times (an encoder with more stages needs larger crops, as it needs larger images).</summary>
    public const int MinTrainingCropSize = 8;

    /// <summary>Epochs, the first ones, that train on <see cref="TrainingCropSize"/> crops.</summary>
    internal int CropEpochs => TrainingCropSize > 0 ? (int)Math.Round(TrainingCropFraction * (double)Epochs, MidpointRounding.AwayFromZero) : 0;

    /// <summary>The widths an encoder gets when <see cref="EncoderWidths"/> is null.</summary>
    internal static int[] DefaultWidths(EncoderKind kind) => kind switch
    {
        EncoderKind.Mlp => [256, 256],
        EncoderKind.FastConvNet => [16, 32, 128, 128],   // about the ConvNet default's multiply-adds per image
        _ => [32, 64, 128],                              // ConvNet, ResNet
    };

    /// <summary>The encoder this run builds for inputs of <paramref name="inputSize"/> floats.</summary>
    internal EncoderConfig ToEncoderConfig(int inputSize)
    {
        bool image = ImageChannels > 0;
        var kind = Encoder == EncoderKind.Auto ? (image ? EncoderKind.ConvNet : EncoderKind.Mlp) : Encoder;
        return new EncoderConfig
        {
            Kind = kind, Channels = ImageChannels, Height = ImageHeight, Width = ImageWidth,
            InputSize = inputSize, Widths = EncoderWidths ?? (WhitenedStem ? [8 * ImageChannels, .. DefaultWidths(kind)[1..]] : DefaultWidths(kind)),
            EmbeddingDimension = EmbeddingDimension, TestTimeFlip = TestTimeFlip, TestTimeShift = TestTimeShift, WhitenedStem = WhitenedStem,
        };
    }
}
