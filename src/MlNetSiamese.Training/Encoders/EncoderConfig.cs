using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlNetSiamese;

/// <summary>
/// Everything needed to rebuild an encoder before its weights are loaded. A saved model stores this record
/// (as JSON) and the weights, nothing else.
/// </summary>
public sealed record EncoderConfig
{
    /// <summary>Network kind; never <see cref="EncoderKind.Auto"/> once resolved.</summary>
    public EncoderKind Kind { get; init; }
    /// <summary>Image channels, or 0 for a plain feature vector.</summary>
    public int Channels { get; init; }
    /// <summary>Image height in pixels, or 0 for a plain feature vector.</summary>
    public int Height { get; init; }
    /// <summary>Image width in pixels, or 0 for a plain feature vector.</summary>
    public int Width { get; init; }
    /// <summary>Length of one input vector (Channels x Height x Width for images).</summary>
    public int InputSize { get; init; }
    /// <summary>Hidden widths: channels per stage (ConvNet, ResNet), of the stem and then per stage (FastConvNet), or units per hidden layer (MLP).</summary>
    public int[] Widths { get; init; } = Array.Empty<int>();
    /// <summary>Embedding dimension (output length).</summary>
    public int EmbeddingDimension { get; init; }
    /// <summary>
    /// Test-time flip: an image's embedding is the normalised mean of the embeddings of the image and its mirror image
    /// (left-right). Images only; twice the inference compute. Absent from models written before it (false).
    /// </summary>
    public bool TestTimeFlip { get; init; }
    /// <summary>
    /// The side images are resized to before the network (bilinear), or 0 to take them as they are: ImageNetResNet18,
    /// whose ImageNet weights expect objects at about 224 pixels. Absent from models written before it (0).
    /// </summary>
    public int ResizeTo { get; init; }
    /// <summary>The length of the network's output in training mode, which the losses see: the embedding's, except for ImageNetResNet18 (a projection used in training only).</summary>
    [JsonIgnore] public int TrainingDimension => Kind == EncoderKind.ImageNetResNet18 ? Encoders.ImageNetResNet18Encoder.TrainingDimension : EmbeddingDimension;
    /// <summary>True when the input is an image (channels, height and width all set).</summary>
    [JsonIgnore] public bool IsImage => Channels > 0 && Height > 0 && Width > 0;

    internal const int MaxWidth = 8192, MaxInputSize = 1 << 26, MaxStages = 16;
    /// <summary>ImageNetResNet18's sides: five halvings leave at least 1 x 1; 448 is twice its training size.</summary>
    internal const int MinimumResizeTo = 32, MaximumResizeTo = 448;

    /// <summary>
    /// The smallest image side the network takes: each 2 x 2 max-pool halves the side (rounding down), and a side of 0
    /// fails inside libtorch. A ConvNet pools once per stage, a FastConvNet once per stage after its stem, a ResNet's
    /// strided convolutions never reach 0.
    /// </summary>
    internal static int MinimumImageSide(EncoderKind kind, int stages) => kind switch
    {
        EncoderKind.ConvNet => 1 << Math.Min(stages, 30),
        EncoderKind.FastConvNet => 1 << Math.Clamp(stages - 1, 0, 30),
        _ => 1,
    };

    /// <summary>Throws <see cref="InvalidDataException"/> when the record cannot describe a network this library builds.</summary>
    public void Validate()
    {
        string? problem =
            Kind is not (EncoderKind.Mlp or EncoderKind.ConvNet or EncoderKind.ResNet or EncoderKind.FastConvNet or EncoderKind.ImageNetResNet18) ? $"Kind '{Kind}' is not a buildable encoder" :
            InputSize < 1 || InputSize > MaxInputSize ? $"InputSize {InputSize} is outside 1..{MaxInputSize}" :
            EmbeddingDimension < 1 || EmbeddingDimension > MaxWidth ? $"EmbeddingDimension {EmbeddingDimension} is outside 1..{MaxWidth}" :
            Widths.Length > MaxStages || Widths.Any(w => w < 1 || w > MaxWidth) ? $"Widths [{string.Join(",", Widths)}] must have at most {MaxStages} entries in 1..{MaxWidth}" :
            Kind != EncoderKind.Mlp && !IsImage ? $"{Kind} needs Channels, Height and Width > 0" :
            Kind is not (EncoderKind.Mlp or EncoderKind.ImageNetResNet18) && Widths.Length == 0 ? $"{Kind} needs at least one stage width" :
            Kind == EncoderKind.ImageNetResNet18 && EmbeddingDimension != Encoders.ImageNetResNet18Encoder.Features ? $"{Kind}'s embedding is its {Encoders.ImageNetResNet18Encoder.Features} pooled features; got EmbeddingDimension {EmbeddingDimension}" :
            Kind == EncoderKind.ImageNetResNet18 && Channels is not (1 or 3) ? $"{Kind} takes grey (1 channel) or RGB (3 channel) images; got {Channels} channels" :
            Kind == EncoderKind.ImageNetResNet18 && ResizeTo is < MinimumResizeTo or > MaximumResizeTo ? $"{Kind} needs ResizeTo in {MinimumResizeTo}..{MaximumResizeTo}; got {ResizeTo}" :
            Kind != EncoderKind.ImageNetResNet18 && ResizeTo != 0 ? $"ResizeTo is for ImageNetResNet18 only; got {ResizeTo} for {Kind}" :
            TestTimeFlip && !IsImage ? "TestTimeFlip needs an image input (Channels, Height and Width > 0)" :
            Kind == EncoderKind.FastConvNet && Widths.Length < 2 ? $"{Kind} needs a stem width and at least one stage width" :
            IsImage && Math.Min(Height, Width) < MinimumImageSide(Kind, Widths.Length) ? $"a {Kind} with {Widths.Length} widths needs images of at least {MinimumImageSide(Kind, Widths.Length)} x {MinimumImageSide(Kind, Widths.Length)} pixels; got {Height} x {Width}" :
            IsImage && (long)Channels * Height * Width != InputSize ? $"Channels x Height x Width = {(long)Channels * Height * Width} differs from InputSize {InputSize}" :
            null;
        if (problem != null) throw new InvalidDataException($"Encoder configuration is invalid: {problem}.");
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>The JSON form stored in a model.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Settings that earlier versions wrote and this one no longer builds (measured to pay on no data set, see bench/RESULTS.md).</summary>
    internal static readonly string[] RemovedSettings = ["TestTimeShift", "WhitenedStem"];

    /// <summary>Parses and validates the JSON form; malformed text, or a setting this version removed, gives <see cref="InvalidDataException"/>.</summary>
    public static EncoderConfig FromJson(string json)
    {
        EncoderConfig? config;
        try
        {
            using (var document = JsonDocument.Parse(json))
                foreach (var removed in RemovedSettings)
                    if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(removed, out var value) && value.ValueKind == JsonValueKind.True)
                        throw new InvalidDataException($"Encoder configuration uses {removed}, which MlNetSiamese removed (it paid on no data set measured); this version cannot embed with the model. Train it again.");
            config = JsonSerializer.Deserialize<EncoderConfig>(json, Json);
        }
        catch (JsonException e) { throw new InvalidDataException($"Encoder configuration is not valid JSON: {e.Message}", e); }
        if (config == null) throw new InvalidDataException("Encoder configuration is empty.");
        config.Validate();
        return config;
    }
}
