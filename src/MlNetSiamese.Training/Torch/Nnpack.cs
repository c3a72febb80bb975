using System.Runtime.InteropServices;

namespace MlNetSiamese.Torch;

/// <summary>
/// Switches libtorch's NNPACK convolutions off, once per process, before the first encoder is built: the setting that
/// PyTorch's <c>torch.backends.nnpack.set_flags(False)</c> makes (<c>at::globalContext().setUserEnabledNNPACK(false)</c>),
/// which TorchSharp does not expose. On CPUs that NNPACK does not know, libtorch otherwise asks it whether it can run
/// every time a convolution picks its kernel and prints "Could not initialize NNPACK! Reason: Unsupported hardware."
/// each time (five lines per single-image prediction); <c>TORCH_CPP_LOG_LEVEL</c> does not silence it. The encoders
/// run their convolutions on oneDNN (channels-last input), so nothing is lost.
/// </summary>
internal static class Nnpack
{
    private static readonly Lazy<bool> disabled = new(Disable);

    /// <summary>Whether NNPACK is off (after the first call, which switches it off); false where the symbols are missing.</summary>
    public static bool Off() => disabled.Value;

    /// <summary>libtorch's own flag, for the tests.</summary>
    internal static bool UserEnabled() => userEnabledNNPACK(globalContext());

    private static bool Disable()
    {
        try
        {
            setUserEnabledNNPACK(globalContext(), false);
            return !UserEnabled();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;   // another libtorch build: its warnings, if any, stay
        }
    }

    // The C++ symbols of libtorch 2.10's at::Context (Itanium ABI: the object as the first argument).
    [DllImport("torch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr globalContext();

    [DllImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void setUserEnabledNNPACK(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("torch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool userEnabledNNPACK(IntPtr context);
}
