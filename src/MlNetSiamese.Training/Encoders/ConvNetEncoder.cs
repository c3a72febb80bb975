using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// The reference article's convolutional tower: per stage two 3x3 convolutions with batch norm and ReLU and a
/// 2x2 max-pool; then global average pooling and a linear projection to the embedding.
/// </summary>
internal sealed class ConvNetEncoder : nn.Module<Tensor, Tensor>, IFoldsBatchNorm
{
    private readonly Sequential features;
    private readonly Linear projection;
    private readonly List<(Conv2d Conv, BatchNorm2d Norm)> stages = new();   // two per stage, in order

    public ConvNetEncoder(EncoderConfig config) : base(nameof(ConvNetEncoder))
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("channelslast", new ChannelsLastInput()) };
        int channels = config.Channels;
        for (int s = 0; s < config.Widths.Length; s++)
        {
            int w = config.Widths[s];
            foreach (var (part, inputs) in new[] { ("a", channels), ("b", w) })
            {
                var conv = nn.Conv2d(inputs, w, 3, padding: 1, bias: false);
                var norm = nn.BatchNorm2d(w);
                stages.Add((conv, norm));
                layers.Add(($"conv{s}{part}", conv));
                layers.Add(($"norm{s}{part}", norm));
                layers.Add(($"relu{s}{part}", nn.ReLU()));
            }
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

    public nn.Module<Tensor, Tensor> FoldBatchNorm()
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < stages.Count; i++)
        {
            layers.Add(($"conv{i}", BatchNormFolding.Fold(stages[i].Conv, stages[i].Norm, stride: 1, padding: 1)));
            layers.Add(($"relu{i}", nn.ReLU(inplace: true)));
            if (i % 2 == 1) layers.Add(($"pool{i / 2}", nn.MaxPool2d(2)));
        }
        return BatchNormFolding.WithProjection(layers, ("gap", nn.AdaptiveAvgPool2d(1)), projection);
    }
}
