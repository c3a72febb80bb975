using MlNetSiamese.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// A small ResNet for 28-64 px images: a 3x3 stem, one basic residual block per stage (stride 2 from the second
/// stage on), global average pooling and a linear projection to the embedding.
/// </summary>
internal sealed class ResNetEncoder : nn.Module<Tensor, Tensor>, IFoldsBatchNorm
{
    private readonly Sequential body;
    private readonly Linear projection;
    private readonly Conv2d stem;
    private readonly BatchNorm2d stemNorm;
    private readonly List<BasicBlock> blocks = new();

    public ResNetEncoder(EncoderConfig config) : base(nameof(ResNetEncoder))
    {
        int w0 = config.Widths[0];
        stem = nn.Conv2d(config.Channels, w0, 3, padding: 1, bias: false);
        stemNorm = nn.BatchNorm2d(w0);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("channelslast", new ChannelsLastInput()), ("stem", stem), ("stemnorm", stemNorm), ("stemrelu", nn.ReLU()) };
        int channels = w0;
        for (int s = 0; s < config.Widths.Length; s++)
        {
            var block = new BasicBlock($"block{s}", channels, config.Widths[s], s == 0 ? 1 : 2);
            blocks.Add(block);
            layers.Add(($"block{s}", block));
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

    public nn.Module<Tensor, Tensor> FoldBatchNorm()
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("stem", BatchNormFolding.Fold(stem, stemNorm, stride: 1, padding: 1)),
            ("stemrelu", nn.ReLU(inplace: true)),
        };
        for (int s = 0; s < blocks.Count; s++) layers.Add(($"block{s}", blocks[s].FoldBatchNorm()));
        return BatchNormFolding.WithProjection(layers, ("gap", nn.AdaptiveAvgPool2d(1)), projection);
    }

    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1, conv2;
        private readonly BatchNorm2d norm1, norm2;
        private readonly Sequential? shortcut;
        private readonly Conv2d? shortcutConv;
        private readonly BatchNorm2d? shortcutNorm;
        private readonly int stride;

        public BasicBlock(string name, int inputs, int outputs, int stride) : base(name)
        {
            this.stride = stride;
            conv1 = nn.Conv2d(inputs, outputs, 3, stride: stride, padding: 1, bias: false);
            norm1 = nn.BatchNorm2d(outputs);
            conv2 = nn.Conv2d(outputs, outputs, 3, padding: 1, bias: false);
            norm2 = nn.BatchNorm2d(outputs);
            if (stride != 1 || inputs != outputs)
            {
                shortcutConv = nn.Conv2d(inputs, outputs, 1, stride: stride, bias: false);
                shortcutNorm = nn.BatchNorm2d(outputs);
                shortcut = nn.Sequential(("conv", shortcutConv), ("norm", shortcutNorm));
            }
            RegisterComponents();
        }

        public FoldedBlock FoldBatchNorm() => new(name ?? "block",
            BatchNormFolding.Fold(conv1, norm1, stride, padding: 1),
            BatchNormFolding.Fold(conv2, norm2, stride: 1, padding: 1),
            shortcutConv == null ? null : BatchNormFolding.Fold(shortcutConv, shortcutNorm!, stride, padding: 0));

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = nn.functional.relu(norm1.forward(conv1.forward(x)));
            y = norm2.forward(conv2.forward(y));
            var skip = shortcut?.forward(x) ?? x.alias();
            return nn.functional.relu(y.add_(skip, Scalars.One)).MoveToOuterDisposeScope();
        }
    }

    /// <summary>A basic block with its batch norms folded (inference only): relu(conv2(relu(conv1(x))) + shortcut(x)).</summary>
    internal sealed class FoldedBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1, conv2;
        private readonly Conv2d? shortcut;

        /// <summary>The block's convolutions, for export: the 1x1 shortcut is null where the input passes through.</summary>
        public (Conv2d First, Conv2d Second, Conv2d? Shortcut) Convolutions => (conv1, conv2, shortcut);

        public FoldedBlock(string name, Conv2d conv1, Conv2d conv2, Conv2d? shortcut) : base(name)
        {
            this.conv1 = conv1; this.conv2 = conv2; this.shortcut = shortcut;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = conv2.forward(conv1.forward(x).relu_());
            var skip = shortcut?.forward(x) ?? x;
            return y.add_(skip, Scalars.One).relu_().MoveToOuterDisposeScope();
        }
    }
}
