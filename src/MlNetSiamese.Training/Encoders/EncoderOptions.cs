using System.ComponentModel;

namespace MlNetSiamese;

/// <summary>The encoder's architecture: which network, its widths and the embedding's length.</summary>
public sealed class EncoderOptions
{
    /// <summary>Encoder network; <see cref="EncoderKind.Auto"/> takes ConvNet for images and MLP for plain vectors.</summary>
    [DisplayName("encoder")]
    public EncoderKind Kind { get; set; } = EncoderKind.Auto;

    /// <summary>Stage widths (ConvNet and ResNet channels; FastConvNet the stem's, then each stage's) or hidden layer
    /// sizes (MLP); null takes the encoder's defaults (ConvNet and ResNet 32-64-128, FastConvNet 16-32-128-128, MLP 256-256).</summary>
    public int[]? Widths { get; set; }

    /// <summary>Length of the embedding (ImageNetResNet18: 512, its pooled features).</summary>
    public int EmbeddingDimension { get; set; } = 64;

    /// <summary>ImageNetResNet18 only: the side images are resized to before the network; 0 takes 224, the size its ImageNet weights were trained at.</summary>
    public int ResizeTo { get; set; }

    /// <summary>ImageNetResNet18 only: the folder with ResNet18Onnx/ResNet18.onnx and ResNetPrepOnnx/ResNetPreprocess.onnx; null takes DnnImageModels beside the app, where the package Microsoft.ML.DnnImageFeaturizer.ResNet18 puts them.</summary>
    public string? PretrainedDirectory { get; set; }

    /// <summary>ImageNetResNet18's side when <see cref="ResizeTo"/> is 0.</summary>
    internal const int DefaultResizeTo = 224;

    /// <summary>The widths an encoder gets when <see cref="Widths"/> is null.</summary>
    public static int[] DefaultWidths(EncoderKind kind) => kind switch
    {
        EncoderKind.Mlp => [256, 256],
        EncoderKind.FastConvNet => [16, 32, 128, 128],   // about the ConvNet default's multiply-adds per image
        EncoderKind.ImageNetResNet18 => [],              // fixed by its ImageNet weights
        _ => [32, 64, 128],                              // ConvNet, ResNet
    };

    /// <summary>The network built for image input (<paramref name="image"/>) or plain vectors.</summary>
    internal EncoderKind Resolve(bool image) => Kind == EncoderKind.Auto ? (image ? EncoderKind.ConvNet : EncoderKind.Mlp) : Kind;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option that does not fit the input
    /// (images of <paramref name="height"/> x <paramref name="width"/>, both 0 for plain vectors).</summary>
    internal void Validate(int height, int width)
    {
        bool image = height > 0 && width > 0;
        OptionCheck.That(image || Kind is EncoderKind.Auto or EncoderKind.Mlp, "Encoder.Kind", Kind, "Mlp or Auto when the input is a plain vector (set ImageChannels, ImageHeight and ImageWidth for images)");
        OptionCheck.That(Widths == null || Widths.Length is > 0 and <= EncoderConfig.MaxStages && Widths.All(w => w is > 0 and <= EncoderConfig.MaxWidth), "Encoder.Widths",
            Widths == null ? "null" : string.Join(",", Widths), $"null or 1 to {EncoderConfig.MaxStages} widths in 1..{EncoderConfig.MaxWidth}");
        OptionCheck.That(!(Resolve(image) == EncoderKind.FastConvNet && Widths is { Length: < 2 }), "Encoder.Widths", Widths == null ? "null" : string.Join(",", Widths),
            "null or at least two widths for FastConvNet (the stem's, then each stage's)");
        var kind = Resolve(image);
        OptionCheck.That(!(kind == EncoderKind.ImageNetResNet18 && Widths != null), "Encoder.Widths", Widths == null ? "null" : string.Join(",", Widths),
            "null for ImageNetResNet18 (its layers are fixed by its ImageNet weights)");
        OptionCheck.That(ResizeTo == 0 || kind == EncoderKind.ImageNetResNet18 && ResizeTo is >= EncoderConfig.MinimumResizeTo and <= EncoderConfig.MaximumResizeTo, "Encoder.ResizeTo", ResizeTo,
            kind == EncoderKind.ImageNetResNet18 ? $"0 (224) or {EncoderConfig.MinimumResizeTo}..{EncoderConfig.MaximumResizeTo}" : "0: resizing is for ImageNetResNet18 only");
        OptionCheck.That(PretrainedDirectory == null || kind == EncoderKind.ImageNetResNet18, "Encoder.PretrainedDirectory", PretrainedDirectory ?? "null",
            "null: pretrained weights are for ImageNetResNet18 only");
        OptionCheck.That(kind != EncoderKind.ImageNetResNet18 || EmbeddingDimension == Encoders.ImageNetResNet18Encoder.Features, "Encoder.EmbeddingDimension", EmbeddingDimension,
            $"{Encoders.ImageNetResNet18Encoder.Features} for ImageNetResNet18 (its embedding is the network's pooled features)");
        OptionCheck.That(EmbeddingDimension is > 0 and <= EncoderConfig.MaxWidth, "Encoder.EmbeddingDimension", EmbeddingDimension, $"in 1..{EncoderConfig.MaxWidth}");
        int minimum = MinimumImageSide(image);
        OptionCheck.That(!image || Math.Min(height, width) >= minimum, "ImageHeight", $"{height}x{width}",
            $"at least {minimum} x {minimum} pixels for a {Resolve(image)} with {(Widths ?? DefaultWidths(Resolve(image))).Length} widths (each pool halves the image)");
    }

    /// <summary>The smallest image side this encoder takes (see <see cref="EncoderConfig.MinimumImageSide"/>).</summary>
    internal int MinimumImageSide(bool image) => image ? EncoderConfig.MinimumImageSide(Resolve(image), (Widths ?? DefaultWidths(Resolve(image))).Length) : 0;

    /// <summary>The record that builds the network for inputs of <paramref name="inputSize"/> floats.</summary>
    internal EncoderConfig ToConfig(int channels, int height, int width, int inputSize, bool testTimeFlip)
    {
        var kind = Resolve(channels > 0);
        return new EncoderConfig
        {
            Kind = kind, Channels = channels, Height = height, Width = width, InputSize = inputSize,
            Widths = Widths ?? DefaultWidths(kind), EmbeddingDimension = EmbeddingDimension, TestTimeFlip = testTimeFlip,
            ResizeTo = kind == EncoderKind.ImageNetResNet18 ? (ResizeTo == 0 ? DefaultResizeTo : ResizeTo) : 0,
        };
    }
}
