using MlNetSiamese.Torch;

namespace MlNetSiamese;

/// <summary>
/// libtorch's intra-op thread count for the whole process (<c>torch.set_num_threads</c>). libtorch's default is one
/// thread per core for every operation, which suits one big batch at a time (training, embedding a data set). A
/// service that embeds one request per thread, many at once, does better with 1: each request then runs on its own
/// thread, without libtorch's pool threads spinning between calls and competing with the other requests.
/// </summary>
public static class TorchThreads
{
    /// <summary>The current intra-op thread count (loads libtorch if it is not loaded yet).</summary>
    public static int IntraOp
    {
        get
        {
            LibTorchSetup.Ensure();
            return TorchSharp.torch.get_num_threads();
        }
    }

    /// <summary>
    /// Sets the intra-op thread count for every thread of the process that runs libtorch afterwards. Call it at start-up,
    /// before the first model is loaded or trained: threads that already ran libtorch keep their count.
    /// </summary>
    /// <param name="threads">At least 1.</param>
    public static void SetIntraOp(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "The intra-op thread count must be at least 1.");
        LibTorchSetup.Ensure();
        TorchSharp.torch.set_num_threads(threads);
    }
}
