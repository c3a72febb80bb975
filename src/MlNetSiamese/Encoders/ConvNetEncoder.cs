using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// The reference article's convolutional tower: per stage two 3x3 convolutions with batch norm and ReLU and a
/// 2x2 max-pool; then global average pooling and a linear projection to the embedding.
/// </summary>
internal sealed class ConvNetEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Linear projection;

    public ConvNetEncoder(EncoderConfig config) : base(nameof(ConvNetEncoder))
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int channels = config.Channels;
        for (int s = 0; s < config.Widths.Length; s++)
        {
            int w = config.Widths[s];
            layers.Add(($"conv{s}a", nn.Conv2d(channels, w, 3, padding: 1, bias: false)));
            layers.Add(($"norm{s}a", nn.BatchNorm2d(w)));
            layers.Add(($"relu{s}a", nn.ReLU()));
            layers.Add(($"conv{s}b", nn.Conv2d(w, w, 3, padding: 1, bias: false)));
            layers.Add(($"norm{s}b", nn.BatchNorm2d(w)));
            layers.Add(($"relu{s}b", nn.ReLU()));
            layers.Add(($"pool{s}", nn.MaxPool2d(2)));
            channels = w;
        }
        layers.Add(("gap", nn.AdaptiveAvgPool2d(1)));
        features = nn.Sequential(layers);
        projection = nn.Linear(channels, config.EmbeddingDimension);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var f = features.forward(input);
        return projection.forward(f.flatten(1));
    }
}
