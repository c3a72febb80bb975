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
/// values, which the loss sees and inference drops (SimCLR's projection head): measured on Fashion-MNIST's unseen
/// classes, the features kept more of what ImageNet taught than when the loss saw them directly (bench/RESULTS.md).
/// Fine-tuning on small batches of a few classes keeps ImageNet's batch-norm statistics (frozen batch norm: the scale
/// and shift train, the statistics do not) and the stem as it is. <see cref="FoldBatchNorm"/> gives the inference copy.
/// </summary>
internal sealed class ImageNetResNet18Encoder : nn.Module<Tensor, Tensor>, IFoldsBatchNorm
{
    /// <summary>Output channels of each block and its stride (CNTK's ResNet-18: 2, 2, 2, 3 blocks per stage).</summary>
    internal static readonly (int Channels, int Stride)[] Blocks = [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1)];
    internal const int Features = 512, StemChannels = 64;
    /// <summary>The projection's output in training mode: what the triplet (and classification) loss sees.</summary>
    public const int TrainingDimension = 128;

    private readonly EncoderConfig config;
    private readonly bool folded;
    private readonly Unit stem;
    private readonly ModuleList<Block> blocks = new();
    private readonly Linear projection;   // training only
    private readonly Parameter meanImage;   // [1, 3, side, side] BGR on 0..255, not trained

    /// <param name="config">The input shape and <see cref="EncoderConfig.ResizeTo"/>.</param>
    /// <param name="folded">The inference form: each batch norm folded into its convolution (<see cref="FoldBatchNorm"/>).</param>
    public ImageNetResNet18Encoder(EncoderConfig config, bool folded = false) : base(nameof(ImageNetResNet18Encoder))
    {
        this.config = config;
        this.folded = folded;
        stem = new Unit("stem", 3, StemChannels, 7, 2, folded);
        int channels = StemChannels;
        for (int i = 0; i < Blocks.Length; i++)
        {
            blocks.Add(new Block($"block{i}", channels, Blocks[i].Channels, Blocks[i].Stride, folded));
            channels = Blocks[i].Channels;
        }
        projection = nn.Linear(Features, TrainingDimension);
        meanImage = new Parameter(zeros(1, 3, config.ResizeTo, config.ResizeTo), requires_grad: false);
        RegisterComponents();
        foreach (var p in stem.parameters()) p.requires_grad = false;   // the stem stays as ImageNet trained it
    }

    /// <summary>The side images are resized to.</summary>
    public int Side => config.ResizeTo;
    /// <summary>The input planes: 1 (grey) or 3 (RGB).</summary>
    public int Channels => config.Channels;
    /// <summary>The ImageNet mean image at <see cref="Side"/> (BGR, 0..255), subtracted after the resize.</summary>
    public Tensor MeanImage => meanImage;
    /// <summary>The 7x7, stride-2 stem's convolution (with bias in the folded form).</summary>
    public Conv2d Stem => stem.Conv;
    /// <summary>Each block's convolutions (with bias in the folded form) and stride, for export.</summary>
    public IEnumerable<(Conv2d First, Conv2d Second, Conv2d? Shortcut, int Stride)> BlockLayers => blocks.Select(b => b.Layers);
    /// <summary>True for the inference form, whose convolutions carry the batch norms.</summary>
    public bool IsFolded => folded;

    private IEnumerable<Unit> Units => new[] { stem }.Concat(blocks.SelectMany(b => b.Units));

    /// <summary>Copies the pretrained ImageNet weights and batch norms, and the mean image resized to this network's side.</summary>
    public void LoadPretrained(ImageNetResNet18Weights weights)
    {
        if (folded) throw new InvalidOperationException("The ImageNet weights go into the trainable form, not the folded copy.");
        using var _ = no_grad();
        var units = Units.ToList();
        if (units.Count != weights.Convolutions.Count)
            throw new InvalidDataException($"'{weights.Source}' has {weights.Convolutions.Count} convolutions; ImageNetResNet18 expects {units.Count}.");
        for (int i = 0; i < units.Count; i++)
        {
            var source = weights.Convolutions[i];
            var conv = units[i].Conv;
            if (!source.Weight.shape.SequenceEqual(conv.weight!.shape))
                throw new InvalidDataException($"'{weights.Source}': convolution {i} is [{string.Join(", ", source.Weight.shape)}]; ImageNetResNet18 expects [{string.Join(", ", conv.weight!.shape)}].");
            conv.weight!.copy_(source.Weight);
            var norm = units[i].Norm!;
            norm.weight!.copy_(source.Gamma);
            norm.bias!.copy_(source.Beta);
            norm.running_mean!.copy_(source.Mean);
            norm.running_var!.copy_(source.Variance);
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
        x = stem.forward(x).relu_();
        x = nn.functional.max_pool2d(Same(x, 3, 2, float.NegativeInfinity), 3, 2);
        foreach (var block in blocks) x = block.forward(x);
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1);
        if (training) x = projection.forward(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>The inference copy: every batch norm folded into its convolution, in eval mode (the 512 features).</summary>
    public nn.Module<Tensor, Tensor> FoldBatchNorm()
    {
        if (folded) throw new InvalidOperationException("This network is already the folded copy.");
        var copy = new ImageNetResNet18Encoder(config, folded: true);
        using (no_grad())
        {
            foreach (var (unit, target) in Units.Zip(copy.Units))
            {
                var (weight, bias) = BatchNormFolding.FoldedWeights(unit.Conv.weight!, unit.Norm!.running_mean!, unit.Norm.running_var!, unit.Norm.weight!, unit.Norm.bias!);
                using (weight) using (bias) { target.Conv.weight!.copy_(weight); target.Conv.bias!.copy_(bias); }
            }
            copy.meanImage.copy_(meanImage);
            copy.projection.weight!.copy_(projection.weight!);
            copy.projection.bias!.copy_(projection.bias!);
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

    /// <summary>
    /// A convolution with "same" padding and its frozen batch norm: ImageNet's running statistics always (in training
    /// too), a scale and shift that train. The folded form has a biased convolution and no norm.
    /// </summary>
    private sealed class Unit : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv;
        private readonly BatchNorm2d? norm;
        private readonly int kernel, stride;

        public Unit(string name, int inputs, int outputs, int kernel, int stride, bool folded) : base(name)
        {
            this.kernel = kernel; this.stride = stride;
            conv = nn.Conv2d(inputs, outputs, kernel, stride: stride, bias: folded);
            if (!folded) norm = nn.BatchNorm2d(outputs, eps: 1e-5);
            RegisterComponents();
        }

        public Conv2d Conv => conv;
        public BatchNorm2d? Norm => norm;

        public override Tensor forward(Tensor x)
        {
            using var padded = Same(x, kernel, stride, 0);
            var y = conv.forward(padded);
            if (norm == null) return y;
            using (y) return nn.functional.batch_norm(y, norm.running_mean!, norm.running_var!, norm.weight, norm.bias, training: false, eps: 1e-5);
        }
    }

    /// <summary>relu(second(relu(first(x))) + shortcut(x)).</summary>
    private sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly Unit first, second;
        private readonly Unit? shortcut;
        private readonly int stride;

        public Block(string name, int inputs, int outputs, int stride, bool folded) : base(name)
        {
            this.stride = stride;
            first = new Unit("first", inputs, outputs, 3, stride, folded);
            second = new Unit("second", outputs, outputs, 3, 1, folded);
            if (stride != 1 || inputs != outputs) shortcut = new Unit("shortcut", inputs, outputs, 1, stride, folded);
            RegisterComponents();
        }

        public (Conv2d First, Conv2d Second, Conv2d? Shortcut, int Stride) Layers => (first.Conv, second.Conv, shortcut?.Conv, stride);

        /// <summary>In the ONNX file's order: the shortcut (where there is one) before the two 3x3 convolutions.</summary>
        public IEnumerable<Unit> Units => shortcut == null ? [first, second] : [shortcut, first, second];

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = second.forward(first.forward(x).relu_());
            var skip = shortcut?.forward(x) ?? x;
            return y.add_(skip, Scalars.One).relu_().MoveToOuterDisposeScope();
        }
    }
}
