using MlNetSiamese.Encoders;
using Xunit;

namespace MlNetSiamese.Tests.Encoders;

public class NativeHeapTests
{
    [Fact]
    public void GlibcKeepsLargeBlocksOnceAnEncoderExists()
    {
        using var encoder = new Encoder(new EncoderConfig { Kind = EncoderKind.Mlp, InputSize = 4, Widths = [4], EmbeddingDimension = 2 });
        bool overridden = new[] { NativeHeap.Variable, "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES" }
            .Any(v => Environment.GetEnvironmentVariable(v) != null);
        bool glibc = OperatingSystem.IsLinux() && File.Exists("/lib/x86_64-linux-gnu/libc.so.6");
        // mallopt accepted both settings on this test host (Debian, glibc), and only there.
        Assert.Equal(glibc && !overridden, NativeHeap.Configure());
    }
}
