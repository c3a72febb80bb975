namespace MlNetSiamese;

/// <summary>
/// Named, measured settings for <see cref="SiameseEmbeddingOptions"/>: the CLI's <c>--preset</c>, the notebooks and the
/// bench use these. Each returns new options for images of the given shape (channels 0 for plain vectors); change
/// any field afterwards. bench/RESULTS.md has what each measured.
/// </summary>
public static class SiameseRecipes
{
    /// <summary>The recipe names <see cref="Named"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["article", "best", "imagenet"];

    /// <summary>The recipe called <paramref name="name"/> (see <see cref="Names"/>).</summary>
    public static SiameseEmbeddingOptions Named(string name, int channels, int height, int width) => name switch
    {
        "article" => Article(channels, height, width),
        "best" => Best(channels, height, width),
        "imagenet" => ImageNet(channels, height, width),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"Unknown recipe '{name}'; known: {string.Join(", ", Names)}."),
    };

    /// <summary>
    /// The reference article's setup: ConvNet, offline random triplets, cosine margin loss with margin 0.4, Adam at
    /// 1e-4 with a constant rate, 10 % validation with early stopping after 2 epochs without gain.
    /// </summary>
    public static SiameseEmbeddingOptions Article(int channels, int height, int width) => new()
    {
        ImageChannels = channels, ImageHeight = height, ImageWidth = width,
        Encoder = { Kind = EncoderKind.ConvNet },
        Objective = { Mining = TripletMining.OfflineRandom, Distance = DistanceKind.Cosine, Loss = TripletLossKind.Margin, Margin = 0.4f, TripletsPerBatch = 64 },
        Training = { Optimizer = OptimizerKind.Adam, LearningRate = 1e-4f, Schedule = LearningRateSchedule.Constant, ValidationFraction = 0.1f, EarlyStoppingPatience = 2 },
    };

    /// <summary>
    /// What measured best on a 2-core CPU within the bench's time budgets: FastConvNet 16-32-128-128, every class in
    /// each batch (P x K = 10 x 8), semi-hard mining with margin 0.2 plus the normalised-softmax classification loss,
    /// AdamW 2e-3 with cosine decay and weight decay 5e-4, crop augmentation, 5 % validation. For colour images also
    /// flips in training and the test-time flip, label smoothing 0.2, and the first two thirds of the epochs on random
    /// crops of three quarters of the side (these were measured on CIFAR-10; on Fashion-MNIST, whose shoes and bags face
    /// one way, flips cost precision and smoothing and crops gained nothing).
    /// </summary>
    public static SiameseEmbeddingOptions Best(int channels, int height, int width)
    {
        bool colour = channels == 3;
        int crop = (int)Math.Round(0.75 * Math.Min(height, width));
        return new()
        {
            ImageChannels = channels, ImageHeight = height, ImageWidth = width,
            Encoder = { Kind = channels > 0 ? EncoderKind.FastConvNet : EncoderKind.Mlp },
            Objective =
            {
                Mining = TripletMining.SemiHard, Distance = DistanceKind.Cosine, Loss = TripletLossKind.Margin, Margin = 0.2f,
                ClassesPerBatch = 10, SamplesPerClass = 8, ClassificationLossWeight = 1f, ClassificationLabelSmoothing = colour ? 0.2f : 0f,
            },
            Training =
            {
                Optimizer = OptimizerKind.AdamW, LearningRate = 2e-3f, WeightDecay = 5e-4f, Schedule = LearningRateSchedule.Cosine,
                AugmentCropPadding = channels > 0 ? 2 : 0, AugmentHorizontalFlip = colour, ValidationFraction = 0.05f,
                TrainingCropSize = colour && crop >= TrainingRecipe.MinTrainingCropSize ? crop : 0, TrainingCropFraction = 0.67f,
            },
            Inference = { TestTimeFlip = colour },
        };
    }

    /// <summary>
    /// For classes never seen in training: ML.NET's ImageNet ResNet-18 fine-tuned (<see cref="EncoderKind.ImageNetResNet18"/>,
    /// images resized to 224, its 512 pooled features as the embedding), every triplet of batches of up to 10 classes x
    /// 16 images with margin 0.2 (batch-all: on Fashion-MNIST's unseen classes semi-hard mining lost 0.02 ROC-AUC and
    /// 0.04 5-way 1-shot to it), Adam at 3e-5 (a small rate: the ImageNet features are the asset, and a larger one
    /// forgets them within an epoch), 3 epochs, flips, no validation split (a score on the seen classes does not tell
    /// how unseen ones fare). Grey or RGB images; it needs the ImageNet weights (the package
    /// Microsoft.ML.DnnImageFeaturizer.ResNet18) and is about 30 times the compute of <see cref="Best"/> per image.
    /// </summary>
    public static SiameseEmbeddingOptions ImageNet(int channels, int height, int width) => new()
    {
        ImageChannels = channels, ImageHeight = height, ImageWidth = width,
        Encoder = { Kind = EncoderKind.ImageNetResNet18, EmbeddingDimension = Encoders.ImageNetResNet18Encoder.Features },
        Objective = { Mining = TripletMining.BatchAll, Distance = DistanceKind.Cosine, Loss = TripletLossKind.Margin, Margin = 0.2f, ClassesPerBatch = 10, SamplesPerClass = 16 },
        Training = { Optimizer = OptimizerKind.Adam, LearningRate = 3e-5f, Schedule = LearningRateSchedule.Constant, Epochs = 3, AugmentHorizontalFlip = true, ValidationFraction = 0f },
    };
}
