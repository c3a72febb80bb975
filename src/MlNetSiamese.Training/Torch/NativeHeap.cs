using System.Runtime.InteropServices;

namespace MlNetSiamese.Torch;

/// <summary>
/// Keeps libtorch's large per-batch buffers in the C heap between batches on Linux/glibc. Every batch allocates and
/// frees activations and gradients of a few MiB; with glibc's defaults many of them are mmap'ed and unmapped, or
/// trimmed from the heap top, and fresh pages fault in on the next batch. M_MMAP_THRESHOLD 32 MiB plus
/// M_TRIM_THRESHOLD 256 MiB keep them (about a tenth of the page faults and system time; bench/RESULTS.md has the
/// measurements). Both are set: either alone switches off glibc's adaptive threshold and is worse than none. The price
/// is that freed memory, up to 256 MiB at the heap top, stays with the process instead of going back to the system.
/// Applied once per process, before the first encoder is built. Skipped when the process already sets glibc's malloc
/// tunables (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, GLIBC_TUNABLES) or when
/// <c>MLNETSIAMESE_NATIVE_HEAP=default</c>; elsewhere (other C libraries, Windows, macOS) it does nothing.
/// </summary>
internal static class NativeHeap
{
    public const string Variable = "MLNETSIAMESE_NATIVE_HEAP";

    /// <summary>glibc's own malloc settings: when the process sets any of them, the heap is left as they make it.</summary>
    public static readonly string[] GlibcVariables = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"];

    private const int MallocTrimThreshold = -1, MallocMmapThreshold = -3;
    private static readonly Lazy<bool> applied = new(Apply);

    /// <summary>Whether the settings are in effect (after the first call, which applies them).</summary>
    public static bool Configure() => applied.Value;

    private static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false;
        if (string.Equals(Environment.GetEnvironmentVariable(Variable), "default", StringComparison.OrdinalIgnoreCase)) return false;
        if (GlibcVariables.Any(name => Environment.GetEnvironmentVariable(name) != null)) return false;
        try
        {
            // The mmap threshold first: 32 MiB is the most glibc accepts on 64-bit systems.
            return mallopt(MallocMmapThreshold, 32 << 20) == 1 && mallopt(MallocTrimThreshold, 256 << 20) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}
