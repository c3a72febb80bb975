using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// A small ResNet for 28-64 px images: a 3x3 stem, one basic residual block per stage (stride 2 from the second
/// stage on), global average pooling and a linear projection to the embedding.
/// </summary>
internal sealed class ResNetEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Sequential body;
    private readonly Linear projection;

    public ResNetEncoder(EncoderConfig config) : base(nameof(ResNetEncoder))
    {
        int w0 = config.Widths[0];
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("stem", nn.Conv2d(config.Channels, w0, 3, padding: 1, bias: false)),
            ("stemnorm", nn.BatchNorm2d(w0)),
            ("stemrelu", nn.ReLU()),
        };
        int channels = w0;
        for (int s = 0; s < config.Widths.Length; s++)
        {
            layers.Add(($"block{s}", new BasicBlock($"block{s}", channels, config.Widths[s], s == 0 ? 1 : 2)));
            channels = config.Widths[s];
        }
        layers.Add(("gap", nn.AdaptiveAvgPool2d(1)));
        body = nn.Sequential(layers);
        projection = nn.Linear(channels, config.EmbeddingDimension);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var f = body.forward(input);
        return projection.forward(f.flatten(1));
    }

    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1, conv2;
        private readonly BatchNorm2d norm1, norm2;
        private readonly Sequential? shortcut;

        public BasicBlock(string name, int inputs, int outputs, int stride) : base(name)
        {
            conv1 = nn.Conv2d(inputs, outputs, 3, stride: stride, padding: 1, bias: false);
            norm1 = nn.BatchNorm2d(outputs);
            conv2 = nn.Conv2d(outputs, outputs, 3, padding: 1, bias: false);
            norm2 = nn.BatchNorm2d(outputs);
            if (stride != 1 || inputs != outputs)
                shortcut = nn.Sequential(("conv", nn.Conv2d(inputs, outputs, 1, stride: stride, bias: false)), ("norm", nn.BatchNorm2d(outputs)));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = nn.functional.relu(norm1.forward(conv1.forward(x)));
            y = norm2.forward(conv2.forward(y));
            var skip = shortcut?.forward(x) ?? x.alias();
            return nn.functional.relu(y.add_(skip)).MoveToOuterDisposeScope();
        }
    }
}
