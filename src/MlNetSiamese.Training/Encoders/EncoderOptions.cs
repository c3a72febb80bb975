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

    /// <summary>Length of the embedding.</summary>
    public int EmbeddingDimension { get; set; } = 64;

    /// <summary>The widths an encoder gets when <see cref="Widths"/> is null.</summary>
    public static int[] DefaultWidths(EncoderKind kind) => kind switch
    {
        EncoderKind.Mlp => [256, 256],
        EncoderKind.FastConvNet => [16, 32, 128, 128],   // about the ConvNet default's multiply-adds per image
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
        };
    }
}
