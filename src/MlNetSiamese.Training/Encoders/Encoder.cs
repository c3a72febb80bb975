using MlNetSiamese.Torch;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// An encoder network plus the configuration that rebuilt it. Output rows are L2-normalised embeddings.
/// Immutable once trained: inference (<see cref="Embed"/>) is safe from several threads at once.
/// </summary>
internal sealed class Encoder : IDisposable
{
    static Encoder() => LibTorchSetup.Ensure();   // the native-library fix, the C heap, libtorch loaded, NNPACK off

    public EncoderConfig Config { get; }
    public nn.Module<Tensor, Tensor> Network { get; }
    public Device Device { get; private set; }

    private Encoder(EncoderConfig config, nn.Module<Tensor, Tensor> network, Device device)
    {
        Config = config;
        Network = network;
        Device = device;
        if (Device.type != DeviceType.CPU) Network.to(Device);
    }

    /// <summary>
    /// An inference copy of this encoder with batch norms folded into the layers before them (see
    /// <see cref="BatchNormFolding"/>): same embeddings within float rounding, fewer passes over memory. Later changes
    /// to this encoder's weights do not reach the copy.
    /// </summary>
    public Encoder ForInference()
    {
        if (Network is not IFoldsBatchNorm foldable) throw new NotSupportedException($"{Config.Kind} encoders cannot fold their batch norms.");
        var folded = foldable.FoldBatchNorm();
        folded.eval();
        return new Encoder(Config, folded, Device);
    }

    /// <summary>
    /// A new network for <paramref name="config"/> on <paramref name="device"/> (CPU by default). <paramref name="init"/>
    /// draws the initial weights (<see cref="WeightInit"/>); without it they come from libtorch's process-wide
    /// generator, as when a saved model is about to be loaded over them.
    /// </summary>
    public Encoder(EncoderConfig config, Device? device = null, Generator? init = null)
    {
        config.Validate();
        if (config.IsImage) BackendSelfCheck.EnsurePassed();
        Config = config;
        Network = config.Kind switch
        {
            EncoderKind.Mlp => new MlpEncoder(config),
            EncoderKind.ConvNet => new ConvNetEncoder(config),
            EncoderKind.ResNet => new ResNetEncoder(config),
            EncoderKind.FastConvNet => new FastConvNetEncoder(config),
            EncoderKind.ImageNetResNet18 => new ImageNetResNet18Encoder(config),
            _ => throw new ArgumentOutOfRangeException(nameof(config), $"Encoder kind '{config.Kind}' cannot be built."),
        };
        if (init != null) WeightInit.Reset(Network, init);
        Device = device ?? CPU;
        if (Device.type != DeviceType.CPU) Network.to(Device);
    }

    /// <summary>
    /// A copy of this (unfolded) encoder in float64: the same weights, batch-norm statistics and mode. oneDNN has no
    /// float64 kernels, so the copy's convolutions run libtorch's plain reference loops and cannot share a bug of
    /// oneDNN's: the reference side of <see cref="BackendSelfCheck"/> and of the numerical tests.
    /// </summary>
    internal Encoder ToFloat64()
    {
        var copy = new Encoder(Config, Device);
        try
        {
            using (no_grad())
            {
                var source = Network.state_dict();
                foreach (var (name, target) in copy.Network.state_dict())
                    target.copy_(source.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"Only a trained (unfolded) encoder has a float64 copy; '{name}' is missing."));
            }
            copy.Network.to(ScalarType.Float64);
            copy.Network.train(Network.training);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>Shapes a batch of flat input rows [B, InputSize] into what the network takes.</summary>
    public Tensor Shape(Tensor flat) => Shape(flat, Config.Height, Config.Width);

    /// <summary>The same for images of <paramref name="height"/> x <paramref name="width"/> (training crops); plain vectors stay as they are.</summary>
    private Tensor Shape(Tensor flat, int height, int width) => Config.IsImage ? flat.view(-1, Config.Channels, height, width) : flat.alias();

    /// <summary>Forward pass with L2 normalisation, in whatever grad mode the caller set.</summary>
    public Tensor Forward(Tensor flat) => Forward(flat, Config.Height, Config.Width);

    /// <summary>
    /// <see cref="Forward(Tensor)"/> for images of another size than the config's (training on crops, see
    /// <see cref="TrainingRecipe.TrainingCropSize"/>): every image encoder ends in a global pool, so any size
    /// down to its downsampling factor goes through. Plain vectors ignore the size.
    /// </summary>
    public Tensor Forward(Tensor flat, int height, int width)
    {
        using var raw = ForwardUnnormalised(flat, height, width);
        return nn.functional.normalize(raw, p: 2, dim: 1);
    }

    /// <summary>The network's output before the L2 normalisation (training normalises it once for the triplet loss, and the classification head normalises it itself).</summary>
    public Tensor ForwardUnnormalised(Tensor flat, int height, int width)
    {
        using var shaped = Shape(flat, height, width);   // image networks take it channels-last (ChannelsLastInput)
        return Network.forward(shaped);
    }

    /// <summary>Embeds <paramref name="rows"/> rows of <see cref="EncoderConfig.InputSize"/> floats into <paramref name="output"/>.</summary>
    public void Embed(ReadOnlySpan<float> inputs, int rows, Span<float> output)
    {
        if (inputs.Length != rows * Config.InputSize) throw new ArgumentException($"Expected {rows} x {Config.InputSize} input values, got {inputs.Length}.", nameof(inputs));
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var x = Input(inputs, rows, Device);
        var y = Config.TestTimeFlip ? nn.functional.normalize(FlipSum(x, rows), p: 2, dim: 1) : Forward(x);
        y.cpu().contiguous().bytes.CopyTo(MemoryMarshal.AsBytes(output));
    }

    /// <summary>
    /// <see cref="EncoderConfig.TestTimeFlip"/>: the images and their mirror images go through the network as one batch
    /// of 2 x rows; each row's two unit embeddings are added (normalised, the sum is the flip-averaged embedding).
    /// </summary>
    private Tensor FlipSum(Tensor flat, int rows)
    {
        var mirrored = Shape(flat).flip(3).reshape(rows, -1);
        var both = Forward(cat(new[] { flat, mirrored }, 0));
        return both.narrow(0, 0, rows).add(both.narrow(0, rows, rows), Scalars.One);
    }

    /// <summary>
    /// A [rows, InputSize] tensor in memory that torch allocated, filled with one copy of <paramref name="rowMajor"/>.
    /// (torch.tensor(float[]) would use a managed array in place, and MKL's GEMM rounds differently for differently
    /// aligned inputs: torch's own 64-byte aligned memory makes results independent of where an array sits.)
    /// </summary>
    public Tensor Input(ReadOnlySpan<float> rowMajor, int rows, Device device)
    {
        var x = empty(new long[] { rows, rowMajor.Length / rows }, ScalarType.Float32);
        MemoryMarshal.AsBytes(rowMajor).CopyTo(x.bytes);   // Tensor.bytes is the CPU storage itself
        return device.type == DeviceType.CPU ? x : x.to(device);
    }

    public void Dispose() => Network.Dispose();
}
