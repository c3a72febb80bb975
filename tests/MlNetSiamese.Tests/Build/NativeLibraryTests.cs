using TorchSharp;
using Xunit;

namespace MlNetSiamese.Tests.Build;

public class NativeLibraryTests
{
    [Fact]
    public void TorchSharpOpRunsOnCpu()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var b = torch.matmul(a, a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, b.data<float>().ToArray());
    }

    [Fact]
    public void TorchSharpLoadsItsOwnLibtorch()
    {
        // python3-torch puts libtorch 1.13 on the system path; the process must use the one TorchSharp ships (2.10).
        torch.InitializeDeviceType(DeviceType.CPU);
        string maps = File.ReadAllText("/proc/self/maps");
        var libtorch = maps.Split('\n').Where(l => l.EndsWith("/libtorch_cpu.so")).Select(l => l[(l.IndexOf('/'))..]).Distinct().ToList();
        Assert.Single(libtorch);
        Assert.DoesNotContain("/usr/lib", libtorch[0]);
        Assert.StartsWith("2.10", torch.__version__);
    }
}
