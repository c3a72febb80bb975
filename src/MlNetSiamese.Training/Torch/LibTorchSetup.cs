using TorchSharp;

namespace MlNetSiamese.Torch;

/// <summary>
/// What a process does once before its first libtorch call: the native-library fix, the C heap settings, loading
/// libtorch for the CPU, and NNPACK off. Encoders (and so every model a process loads) and <see cref="TorchThreads"/>
/// go through it.
/// </summary>
internal static class LibTorchSetup
{
    private static readonly Lazy<bool> done = new(() =>
    {
        NativeLibraryFix.ThrowIfFailed();
        NativeHeap.Configure();
        torch.InitializeDeviceType(DeviceType.CPU);   // libtorch loaded, so its flags can be set
        Nnpack.Off();
        return true;
    });

    /// <summary>Runs the set-up once per process (later calls return at once).</summary>
    public static void Ensure() => _ = done.Value;
}
