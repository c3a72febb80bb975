using MlNetSiamese.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// ML.NET's ImageNet ResNet-18 (the network of Microsoft.ML.DnnImageFeaturizer.ResNet18, trained with CNTK), for
/// fine-tuning with the triplet loss. The input image (planar 0..1 pixels, grey or RGB) is resized to
/// <see cref="EncoderConfig.ResizeTo"/> (bilinear), scaled to 0..255, turned into BGR and has the ImageNet mean image
/// subtracted, as ML.NET's featurizer does; then a 7x7 stem, a max-pool, nine basic blocks (2, 2, 2, 3 per stage) with
/// CNTK's "same" padding (the odd pixel at the top and left) and a global average pool give 512 features: the
/// embedding. In training mode the features go on through a linear projection to <see cref="TrainingDimension"/>
/// values, which the loss sees and inference drops (SimCLR's projection head): fitting the seen classes bends the
/// projection more than the features, and measured on Fashion-MNIST's unseen classes the features kept more of what
/// ImageNet taught (bench/RESULTS.md). The pretrained batch norms are folded into the convolutions when the weights are read
/// (<see cref="ImageNetResNet18Weights"/>), and stay folded: fine-tuning on small batches of a few classes keeps
/// ImageNet's statistics (frozen batch norm), and inference needs no folding.
/// </summary>
internal sealed class ImageNetResNet18Encoder : nn.Module<Tensor, Tensor>, IFoldsBatchNorm
{
    /// <summary>Output channels of the stem and of each block, and each block's stride (CNTK's ResNet-18: 2, 2, 2, 3 blocks).</summary>
    internal static readonly (int Channels, int Stride)[] Blocks = [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1)];
    internal const int Features = 512, StemChannels = 64;
    /// <summary>The projection's output in training mode: what the triplet (and classification) loss sees.</summary>
    public const int TrainingDimension = 128;

    private readonly EncoderConfig config;
    private readonly Conv2d stem;
    private readonly ModuleList<Block> blocks = new();
    private readonly Linear projection;   // training only
    private readonly Parameter meanImage;   // [1, 3, side, side] BGR on 0..255, not trained

    public ImageNetResNet18Encoder(EncoderConfig config) : base(nameof(ImageNetResNet18Encoder))
    {
        this.config = config;
        stem = nn.Conv2d(3, StemChannels, 7, stride: 2, bias: true);
        int channels = StemChannels;
        for (int i = 0; i < Blocks.Length; i++)
        {
            blocks.Add(new Block($"block{i}", channels, Blocks[i].Channels, Blocks[i].Stride));
            channels = Blocks[i].Channels;
        }
        projection = nn.Linear(Features, TrainingDimension);
        meanImage = new Parameter(zeros(1, 3, config.ResizeTo, config.ResizeTo), requires_grad: false);
        RegisterComponents();
    }

    /// <summary>The side images are resized to.</summary>
    public int Side => config.ResizeTo;
    /// <summary>The input planes: 1 (grey) or 3 (RGB).</summary>
    public int Channels => config.Channels;
    /// <summary>The ImageNet mean image at <see cref="Side"/> (BGR, 0..255), subtracted after the resize.</summary>
    public Tensor MeanImage => meanImage;
    /// <summary>The 7x7, stride-2 stem.</summary>
    public Conv2d Stem => stem;
    /// <summary>Each block's convolutions and stride, for export.</summary>
    public IEnumerable<(Conv2d First, Conv2d Second, Conv2d? Shortcut, int Stride)> BlockLayers => blocks.Select(b => b.Layers);

    /// <summary>Copies the pretrained ImageNet weights (batch norms folded) and the mean image resized to this network's side.</summary>
    public void LoadPretrained(ImageNetResNet18Weights weights)
    {
        using var _ = no_grad();
        var convolutions = new List<Conv2d> { stem };
        foreach (var block in blocks) convolutions.AddRange(block.Convolutions);
        if (convolutions.Count != weights.Convolutions.Count)
            throw new InvalidDataException($"'{weights.Source}' has {weights.Convolutions.Count} convolutions; ImageNetResNet18 expects {convolutions.Count}.");
        for (int i = 0; i < convolutions.Count; i++)
        {
            var (weight, bias) = weights.Convolutions[i];
            if (!weight.shape.SequenceEqual(convolutions[i].weight!.shape))
                throw new InvalidDataException($"'{weights.Source}': convolution {i} is [{string.Join(", ", weight.shape)}]; ImageNetResNet18 expects [{string.Join(", ", convolutions[i].weight!.shape)}].");
            convolutions[i].weight!.copy_(weight);
            convolutions[i].bias!.copy_(bias);
        }
        using var resized = nn.functional.interpolate(weights.MeanImage, size: [config.ResizeTo, config.ResizeTo], mode: InterpolationMode.Bilinear, align_corners: false);
        meanImage.copy_(resized);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        int side = config.ResizeTo;
        if (x.shape[2] != side || x.shape[3] != side)
            x = nn.functional.interpolate(x, size: [side, side], mode: InterpolationMode.Bilinear, align_corners: false);
        // RGB -> BGR (the CNTK network's order); a grey image fills all three planes.
        x = x.shape[1] == 1 ? x.expand(-1, 3, -1, -1) : x.flip(1);
        x = ChannelsLastInput.Of(x.mul(255f).sub(meanImage));
        x = nn.functional.relu(stem.forward(Same(x, 7, 2, 0)));
        x = nn.functional.max_pool2d(Same(x, 3, 2, float.NegativeInfinity), 3, 2);
        foreach (var block in blocks) x = block.forward(x);
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1);
        if (training) x = projection.forward(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>The network already has no batch norms: a copy of it in eval mode, for inference.</summary>
    public nn.Module<Tensor, Tensor> FoldBatchNorm()
    {
        var copy = new ImageNetResNet18Encoder(config);
        using (no_grad())
        {
            var source = state_dict();
            foreach (var (name, target) in copy.state_dict()) target.copy_(source[name]);
        }
        copy.eval();
        return copy;
    }

    /// <summary>
    /// CNTK's "same" padding for a <paramref name="kernel"/> x <paramref name="kernel"/> window at <paramref name="stride"/>:
    /// ceil(side / stride) outputs, the odd padding pixel at the top and left (an ONNX export of the network spells it
    /// out as pads [1, 1, 0, 0] at 224 x 224).
    /// </summary>
    internal static Tensor Same(Tensor x, int kernel, int stride, double value)
    {
        var (top, left, bottom, right) = SamePads(x.shape[2], x.shape[3], kernel, stride);
        if (top + left + bottom + right == 0) return x.alias();
        return nn.functional.pad(x, [left, right, top, bottom], PaddingModes.Constant, value);
    }

    /// <summary>The padding <see cref="Same"/> adds to an <paramref name="h"/> x <paramref name="w"/> input.</summary>
    internal static (long Top, long Left, long Bottom, long Right) SamePads(long h, long w, int kernel, int stride)
    {
        long th = Math.Max(((h + stride - 1) / stride - 1) * stride + kernel - h, 0), tw = Math.Max(((w + stride - 1) / stride - 1) * stride + kernel - w, 0);
        return ((th + 1) / 2, (tw + 1) / 2, th / 2, tw / 2);
    }

    /// <summary>relu(conv2(relu(conv1(x))) + shortcut(x)), batch norms folded into the convolutions.</summary>
    private sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1, conv2;
        private readonly Conv2d? shortcut;
        private readonly int stride;

        public Block(string name, int inputs, int outputs, int stride) : base(name)
        {
            this.stride = stride;
            conv1 = nn.Conv2d(inputs, outputs, 3, stride: stride, bias: true);
            conv2 = nn.Conv2d(outputs, outputs, 3, bias: true);
            if (stride != 1 || inputs != outputs) shortcut = nn.Conv2d(inputs, outputs, 1, stride: stride, bias: true);
            RegisterComponents();
        }

        public (Conv2d First, Conv2d Second, Conv2d? Shortcut, int Stride) Layers => (conv1, conv2, shortcut, stride);

        /// <summary>In the ONNX file's order: the shortcut (where there is one) before the two 3x3 convolutions.</summary>
        public IEnumerable<Conv2d> Convolutions => shortcut == null ? [conv1, conv2] : [shortcut, conv1, conv2];

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = conv1.forward(Same(x, 3, stride, 0)).relu_();
            y = conv2.forward(Same(y, 3, 1, 0));
            var skip = shortcut?.forward(Same(x, 1, stride, 0)) ?? x;
            return y.add_(skip, Scalars.One).relu_().MoveToOuterDisposeScope();
        }
    }
}
