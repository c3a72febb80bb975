namespace MlNetSiamese;

/// <summary>How the encoder is trained: epochs, optimiser and schedule, augmentation, validation, seed and device.</summary>
public sealed class TrainingRecipe
{
    /// <summary>Passes over the training data; at least 1.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Optimiser: Adam (L2 weight decay) or AdamW (decoupled weight decay).</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Initial learning rate.</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Weight decay.</summary>
    public float WeightDecay { get; set; }

    /// <summary>Learning-rate schedule over the whole run: Constant or Cosine (decay to zero at the last batch).</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Cosine;

    /// <summary>Images: random crop after zero padding by this many pixels; 0 turns it off.</summary>
    public int AugmentCropPadding { get; set; }

    /// <summary>Images: random horizontal flips.</summary>
    public bool AugmentHorizontalFlip { get; set; }

    /// <summary>Images: train the first <see cref="TrainingCropFraction"/> of the epochs on random square crops of this
    /// side (the global-pooled encoders take any size; the model embeds whole images); 0 turns it off, else at least
    /// <see cref="MinTrainingCropSize"/> and below the image's smaller side.</summary>
    public int TrainingCropSize { get; set; }

    /// <summary>Share of the epochs, the first ones, that train on <see cref="TrainingCropSize"/> crops; in [0, 1].</summary>
    public float TrainingCropFraction { get; set; } = 0.67f;

    /// <summary>Share of the training rows held out to pick the best epoch (leave-one-out precision@1); 0 keeps the last epoch.</summary>
    public float ValidationFraction { get; set; }

    /// <summary>Stop after this many epochs without a better validation score; 0 never stops early. Needs a validation split.</summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>Seed for weights, batches, triplets and augmentation: the same seed on CPU gives the same weights.</summary>
    public int Seed { get; set; }

    /// <summary>Torch device: "cpu", or e.g. "cuda:0" when a CUDA build of TorchSharp is referenced.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>The smallest <see cref="TrainingCropSize"/>: the image encoders with their default widths halve the resolution three times.</summary>
    public const int MinTrainingCropSize = 8;

    /// <summary>Epochs, the first ones, that train on <see cref="TrainingCropSize"/> crops.</summary>
    internal int CropEpochs => TrainingCropSize > 0 ? (int)Math.Round(TrainingCropFraction * (double)Epochs, MidpointRounding.AwayFromZero) : 0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range for images of
    /// <paramref name="height"/> x <paramref name="width"/> (both 0 for plain vectors).</summary>
    internal void Validate(int height, int width)
    {
        bool image = height > 0;
        OptionCheck.That(Epochs >= 1, "Training.Epochs", Epochs, ">= 1");
        OptionCheck.That(Optimizer is OptimizerKind.Adam or OptimizerKind.AdamW, "Training.Optimizer", Optimizer, "Adam or AdamW");
        OptionCheck.That(LearningRate > 0 && float.IsFinite(LearningRate), "Training.LearningRate", LearningRate, "> 0");
        OptionCheck.That(WeightDecay >= 0 && float.IsFinite(WeightDecay), "Training.WeightDecay", WeightDecay, ">= 0");
        OptionCheck.That(Schedule is LearningRateSchedule.Constant or LearningRateSchedule.Cosine, "Training.Schedule", Schedule, "Constant or Cosine");
        OptionCheck.That(AugmentCropPadding >= 0, "Training.AugmentCropPadding", AugmentCropPadding, ">= 0");
        OptionCheck.That(image || AugmentCropPadding == 0 && !AugmentHorizontalFlip, "Training.AugmentCropPadding", AugmentCropPadding, "0 with flips off when the input is a plain vector (they move images)");
        OptionCheck.That(image || TrainingCropSize == 0, "Training.TrainingCropSize", TrainingCropSize, "0 when the input is a plain vector (it crops images)");
        OptionCheck.That(TrainingCropSize == 0 || !image || TrainingCropSize >= MinTrainingCropSize && TrainingCropSize < Math.Min(height, width), "Training.TrainingCropSize", TrainingCropSize,
            $"0 (off) or from {MinTrainingCropSize} to below the image's smaller side ({height}x{width} images)");
        OptionCheck.That(TrainingCropFraction is >= 0 and <= 1, "Training.TrainingCropFraction", TrainingCropFraction, "in [0, 1]");
        OptionCheck.That(ValidationFraction is >= 0 and < 1, "Training.ValidationFraction", ValidationFraction, "in [0, 1)");
        OptionCheck.That(EarlyStoppingPatience >= 0, "Training.EarlyStoppingPatience", EarlyStoppingPatience, ">= 0");
        OptionCheck.That(EarlyStoppingPatience == 0 || ValidationFraction > 0, "Training.EarlyStoppingPatience", EarlyStoppingPatience, "0 unless ValidationFraction > 0 (early stopping watches the validation split)");
        bool device;
        try { _ = new TorchSharp.torch.Device(Device); device = true; }
        catch (Exception) { device = false; }
        OptionCheck.That(device, "Training.Device", Device, "a torch device such as \"cpu\" or \"cuda:0\"");
    }
}
