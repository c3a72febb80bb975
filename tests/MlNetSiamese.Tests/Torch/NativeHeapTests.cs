using MlNetSiamese.Torch;
using System.Runtime.InteropServices;
using MlNetSiamese.Encoders;
using Xunit;

namespace MlNetSiamese.Tests.Torch;

public class NativeHeapTests
{
    [Fact]
    public void GlibcKeepsLargeBlocksOnceAnEncoderExists()
    {
        using var encoder = new Encoder(new EncoderConfig { Kind = EncoderKind.Mlp, InputSize = 4, Widths = [4], EmbeddingDimension = 2 });
        bool overridden = NativeHeap.GlibcVariables.Append(NativeHeap.Variable).Any(v => Environment.GetEnvironmentVariable(v) != null);
        // glibc's mallopt accepted both values (32 MiB is its largest mmap threshold on 64-bit systems); with another
        // C library, or when the environment says otherwise, the heap is left alone.
        Assert.Equal(IsGlibc() && !overridden, NativeHeap.Configure());
    }

    private static bool IsGlibc()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { return gnu_get_libc_version() != IntPtr.Zero; }
        catch (EntryPointNotFoundException) { return false; }
    }

    [DllImport("libc")]
    private static extern IntPtr gnu_get_libc_version();
}
