using System.Runtime.Intrinsics.X86;
using MlNetSiamese.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// Checks once per process, before the first image encoder is built, that libtorch's float32 convolutions on this CPU
/// compute what they should. libtorch 2.10's oneDNN convolution has been measured giving wrong values, NaN and heap
/// corruption on NCHW input whose channel counts are not a multiple of the SIMD block (16 with AVX-512, 8 with AVX2);
/// the encoders feed it channels-last input (<see cref="ChannelsLastInput"/>), which was right everywhere measured,
/// and this check makes sure of it on the machine at hand rather than trusting the measurement.
/// Small networks with the awkward channel counts 12, 20 and 28 (a ConvNet on 3-channel and a ResNet on 1-channel
/// 8 x 8 images) go through the production path, float32: training-mode forward and the gradients of a loss, and the
/// batch-norm-folded inference network. The same weights in float64 are the reference: oneDNN takes no float64, so it
/// cannot share the bug. On a mismatch every image encoder construction throws an exception that names the CPU's
/// instruction set, the libtorch version and the workaround, instead of training or embedding with wrong numbers.
/// It runs once per process (README.md gives its measured cost).
/// </summary>
internal static class BackendSelfCheck
{
    /// <summary>Relative tolerance for outputs and gradients, float32 against float64 (a wrong kernel is off by 1e-2 or more).</summary>
    internal const double Tolerance = 1e-3;

    private static readonly object gate = new();
    private static bool passed;
    private static string? failure;
    [ThreadStatic] private static bool running;

    /// <summary>Runs the check the first time (later calls cost a flag read); throws while the backend is wrong.</summary>
    public static void EnsurePassed()
    {
        if (Volatile.Read(ref passed) || running) return;
        lock (gate)
        {
            if (!passed && failure == null)
            {
                running = true;
                try { failure = Compare((network, input) => network.forward(input)); }
                finally { running = false; }
                Volatile.Write(ref passed, failure == null);
            }
        }
        if (failure != null) throw new InvalidOperationException(failure);
    }

    /// <summary>
    /// The check itself, with the float32 forward under test as a parameter (the production call in
    /// <see cref="EnsurePassed"/>; a deliberately wrong one in the tests). Returns null when every output and gradient
    /// agrees with float64, else the message to throw. libtorch's process-wide random generator is left as it was.
    /// </summary>
    internal static string? Compare(Func<nn.Module<Tensor, Tensor>, Tensor, Tensor> forward)
    {
        using var rngState = torch.random.get_rng_state();
        try
        {
            var cases = new (EncoderKind Kind, int Channels, int[] Widths)[] { (EncoderKind.ConvNet, 3, [12, 20, 28]), (EncoderKind.ResNet, 1, [12, 20]) };
            foreach (var (kind, channels, widths) in cases)
            {
                string? problem = CompareOne(kind, channels, widths, forward);
                if (problem != null) return Message($"{kind}, widths {string.Join("-", widths)}, {channels} channel(s): {problem}");
            }
            return null;
        }
        finally
        {
            torch.random.set_rng_state(rngState);
        }
    }

    private static string? CompareOne(EncoderKind kind, int channels, int[] widths, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor> forward)
    {
        const int batch = 6, side = 8;
        var config = new EncoderConfig
        {
            Kind = kind, Channels = channels, Height = side, Width = side, InputSize = channels * side * side,
            Widths = widths, EmbeddingDimension = 10,
        };
        using var generator = new Generator(17);
        using var encoder = new Encoder(config, init: generator);
        using var scope = NewDisposeScope();
        var images = rand(new long[] { batch, channels, side, side }, generator: generator);
        var weights = randn(new long[] { batch, config.EmbeddingDimension }, generator: generator);

        // Training mode (batch statistics), forward and backward, in both precisions.
        using var reference = encoder.ToFloat64();
        encoder.Network.train();
        reference.Network.train();
        var output = forward(encoder.Network, images);
        output.mul(weights).sum().backward();
        var expected = reference.Network.forward(images.to_type(ScalarType.Float64));
        expected.mul(weights.to_type(ScalarType.Float64)).sum().backward();
        string? problem = Difference("training-mode output", output, expected);
        var gradients = reference.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        foreach (var (name, parameter) in encoder.Network.named_parameters())
            problem ??= parameter.grad is { } grad && gradients[name] is { } expectedGrad ? Difference($"gradient of {name}", grad, expectedGrad) : null;
        if (problem != null) return problem;

        // The folded inference network against the float64 network in eval mode.
        encoder.Network.eval();
        reference.Network.eval();
        using var folded = encoder.ForInference();
        using var noGrad = no_grad();
        return Difference("folded inference output", forward(folded.Network, images), reference.Network.forward(images.to_type(ScalarType.Float64)));
    }

    /// <summary>Null when |actual - expected| stays within <see cref="Tolerance"/> of the expected values' largest magnitude.</summary>
    private static string? Difference(string what, Tensor actual, Tensor expected)
    {
        double scale = Math.Max(expected.abs().max().item<double>(), 1e-6);
        double diff = actual.to_type(ScalarType.Float64).sub(expected).abs().max().item<double>();
        return double.IsFinite(diff) && diff <= Tolerance * scale ? null
            : $"{what} differs from float64 by {diff:G3} (largest value {scale:G3})";
    }

    private static string Message(string detail)
    {
        string isa = InstructionSet;
        string cap = Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") is { Length: > 0 } set ? $"ONEDNN_MAX_CPU_ISA={set}" : "no ONEDNN_MAX_CPU_ISA set";
        string suggestion = isa == "AVX-512" ? "AVX2" : isa == "AVX2" ? "SSE41" : "SSE41";
        return $"libtorch's float32 convolutions give wrong results on this CPU ({isa}; libtorch {torch.__version__}; {cap}): {detail}. " +
               $"MlNetSiamese will not train or embed images with them. Start the process with ONEDNN_MAX_CPU_ISA={suggestion} in its " +
               $"environment (for example `export ONEDNN_MAX_CPU_ISA={suggestion}`), which makes oneDNN use another convolution kernel.";
    }

    /// <summary>The widest x86 vector instruction set the CPU offers (what oneDNN picks its kernels by).</summary>
    internal static string InstructionSet =>
        Avx512F.IsSupported ? "AVX-512" : Avx2.IsSupported ? "AVX2" : Avx.IsSupported ? "AVX" : Sse41.IsSupported ? "SSE4.1" : System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
}
