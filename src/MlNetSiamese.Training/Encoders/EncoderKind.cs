namespace MlNetSiamese;

/// <summary>The network that turns one input into an embedding.</summary>
public enum EncoderKind
{
    /// <summary>Pick from the input: <see cref="ConvNet"/> for images, <see cref="Mlp"/> for plain feature vectors.</summary>
    Auto = 0,
    /// <summary>Fully connected layers, for plain feature vectors (text, audio or tabular features).</summary>
    Mlp = 1,
    /// <summary>A small convolutional tower like the reference article's: per stage two 3x3 convolutions, batch norm, ReLU, max-pool.</summary>
    ConvNet = 2,
    /// <summary>A small residual network (basic blocks, one per stage) for 28-64 px images.</summary>
    ResNet = 3,
    /// <summary>
    /// The CIFAR-10 speed-run layout (a stem, then per stage convolution, max-pool, convolution at the pooled size):
    /// the second convolution of a stage runs at a quarter of the pixels, so more of it fits a training minute.
    /// Widths are [stem, stage 1, stage 2, ...], at least two entries.
    /// </summary>
    FastConvNet = 4,
    /// <summary>
    /// ML.NET's ImageNet ResNet-18 (the weights of Microsoft.ML.DnnImageFeaturizer.ResNet18), fine-tuned: images are
    /// resized to <see cref="EncoderOptions.ResizeTo"/> and the 512 pooled features are the embedding (another
    /// <see cref="EncoderOptions.EmbeddingDimension"/> adds a linear projection). For classes never seen in training,
    /// where ImageNet features already know more than a few thousand images can teach. Widths are not used.
    /// </summary>
    ImageNetResNet18 = 5,
}
