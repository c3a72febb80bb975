using System.Diagnostics;
using MlNetSiamese.Encoders;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Tests.Encoders;

[Collection(nameof(GlobalGenerator))]
public class BackendSelfCheckTests(ITestOutputHelper output)
{
    [Fact]
    public void TheProductionPathAgreesWithFloat64OnThisMachine()
    {
        var clock = Stopwatch.StartNew();
        using (var loaded = torch.ones(2).sum()) { }   // libtorch's own start-up, which any first use pays
        double startup = clock.Elapsed.TotalMilliseconds;
        string? failure = BackendSelfCheck.Compare((network, input) => network.forward(input));
        double first = clock.Elapsed.TotalMilliseconds - startup;
        clock.Restart();
        BackendSelfCheck.Compare((network, input) => network.forward(input));
        output.WriteLine($"libtorch start-up {startup:F0} ms; self-check {first:F0} ms (a second run {clock.Elapsed.TotalMilliseconds:F0} ms; " +
            $"{BackendSelfCheck.InstructionSet}, ONEDNN_MAX_CPU_ISA={Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? "unset"})");
        Assert.Null(failure);
        BackendSelfCheck.EnsurePassed();   // and the cached verdict lets encoders be built
    }

    [Fact]
    public void AWrongConvolutionIsReportedWithTheInstructionSetTheLibtorchVersionAndTheWorkaround()
    {
        // A forward that is off by 1 %, as oneDNN's NCHW kernels were (0.02-0.08 on outputs of about 1).
        string? failure = BackendSelfCheck.Compare((network, input) => network.forward(input).mul(1.01));
        Assert.NotNull(failure);
        Assert.Contains(BackendSelfCheck.InstructionSet, failure);
        Assert.Contains("libtorch 2.10", failure);
        Assert.Contains("ONEDNN_MAX_CPU_ISA=", failure);
        Assert.Contains("12-20-28", failure);
        Assert.Contains("differs from float64", failure);
    }

    [Fact]
    public void ANaNIsAMismatch()
    {
        string? failure = BackendSelfCheck.Compare((network, input) =>
        {
            var y = network.forward(input);
            using var nan = float.NaN.ToScalar();
            return y.index_fill(0, TorchSharp.torch.tensor(new long[] { 0 }), nan);
        });
        Assert.NotNull(failure);
        Assert.Contains("NaN", failure);
    }

    [Fact]
    public void TheCheckLeavesLibtorchsGlobalGeneratorAsItWas()
    {
        TorchSharp.torch.random.manual_seed(5);
        using var expected = TorchSharp.torch.rand(4);
        TorchSharp.torch.random.manual_seed(5);
        BackendSelfCheck.Compare((network, input) => network.forward(input));
        using var actual = TorchSharp.torch.rand(4);
        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
    }
}

/// <summary>Tests that read libtorch's process-wide generator run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(GlobalGenerator), DisableParallelization = true)]
public sealed class GlobalGenerator;
