namespace MlNetSiamese;

/// <summary>
/// Options of <c>mlContext.Transforms.SiameseEmbed</c>: the columns and the input's shape, composed with one options
/// object per concern: <see cref="Encoder"/> (architecture), <see cref="Objective"/> (triplet loss, mining,
/// classification loss), <see cref="Training"/> (epochs, optimiser, augmentation, validation, seed) and
/// <see cref="Inference"/> (test-time flip, batch size). <see cref="SiameseRecipes"/> holds named, measured settings.
/// </summary>
public sealed class SiameseEmbeddingOptions
{
    /// <summary>Input column: a fixed-size vector of float (pixels in planar CHW order, scaled 0..1, for images). Default "Features".</summary>
    public string InputColumnName { get; set; } = "Features";
    /// <summary>Output column: the L2-normalised embedding, a vector of float. Default "Embedding".</summary>
    public string OutputColumnName { get; set; } = "Embedding";
    /// <summary>Label column used for training only: key (as after MapValueToKey), string, or numeric. Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Image channels (1 grey, 3 RGB); 0 with height and width 0 means a plain feature vector (MLP encoder).</summary>
    public int ImageChannels { get; set; }
    /// <summary>Image height in pixels, or 0.</summary>
    public int ImageHeight { get; set; }
    /// <summary>Image width in pixels, or 0.</summary>
    public int ImageWidth { get; set; }

    /// <summary>The encoder's architecture.</summary>
    public EncoderOptions Encoder { get; init; } = new();
    /// <summary>What training optimises: triplet loss, mining, classification loss.</summary>
    public TripletObjectiveOptions Objective { get; init; } = new();
    /// <summary>How the encoder is trained.</summary>
    public TrainingRecipe Training { get; init; } = new();
    /// <summary>How the fitted transformer embeds.</summary>
    public InferenceOptions Inference { get; init; } = new();

    /// <summary>When set, the training state (weights, optimiser, history, the whole recipe) is written to this file
    /// after every epoch, atomically; a cancelled or failed run keeps the last completed epoch's checkpoint.</summary>
    public string? CheckpointPath { get; set; }
    /// <summary>Continue from <see cref="CheckpointPath"/> after its last completed epoch; refused, naming the first
    /// difference, unless the data, encoder, objective and recipe are the checkpoint's. The result equals an
    /// uninterrupted run's on CPU.</summary>
    public bool ResumeFromCheckpoint { get; set; }
    /// <summary>Receives a report after every batch and every epoch.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }
    /// <summary>Stops training after the current batch with <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>True when the input is an image (all three sides set).</summary>
    internal bool IsImage => ImageChannels > 0 && ImageHeight > 0 && ImageWidth > 0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range (as "Encoder.Widths", "Training.Epochs", ...).</summary>
    public void Validate()
    {
        OptionCheck.That(!string.IsNullOrWhiteSpace(InputColumnName), nameof(InputColumnName), InputColumnName, "a column name");
        OptionCheck.That(!string.IsNullOrWhiteSpace(OutputColumnName), nameof(OutputColumnName), OutputColumnName, "a column name");
        OptionCheck.That(!string.IsNullOrWhiteSpace(LabelColumnName), nameof(LabelColumnName), LabelColumnName, "a column name");
        bool vector = ImageChannels == 0 && ImageHeight == 0 && ImageWidth == 0;
        OptionCheck.That(vector || IsImage, nameof(ImageChannels), $"{ImageChannels}x{ImageHeight}x{ImageWidth}",
            "all > 0 for images or all 0 for plain vectors (ImageChannels x ImageHeight x ImageWidth)");
        OptionCheck.That(Encoder != null && Objective != null && Training != null && Inference != null, "SiameseEmbeddingOptions", "null", "Encoder, Objective, Training and Inference set");
        Encoder!.Validate(ImageHeight, ImageWidth);
        OptionCheck.That(Encoder.Resolve(IsImage) != EncoderKind.ImageNetResNet18 || ImageChannels is 1 or 3, nameof(ImageChannels), ImageChannels,
            "1 (grey) or 3 (RGB) for the ImageNetResNet18 encoder");
        Objective!.Validate();
        Training!.Validate(ImageHeight, ImageWidth);
        int minimum = Encoder.MinimumImageSide(IsImage);
        OptionCheck.That(Training.TrainingCropSize == 0 || Training.TrainingCropSize >= minimum, "Training.TrainingCropSize", Training.TrainingCropSize,
            $"0 (off) or at least the encoder's smallest image side, {minimum}");
        Inference!.Validate(IsImage);
        OptionCheck.That(!ResumeFromCheckpoint || !string.IsNullOrWhiteSpace(CheckpointPath), nameof(ResumeFromCheckpoint), ResumeFromCheckpoint,
            "false unless CheckpointPath names the checkpoint to resume from");
    }

    /// <summary>The encoder this run builds for inputs of <paramref name="inputSize"/> floats.</summary>
    internal EncoderConfig ToEncoderConfig(int inputSize) => Encoder.ToConfig(ImageChannels, ImageHeight, ImageWidth, inputSize, Inference.TestTimeFlip);
}
