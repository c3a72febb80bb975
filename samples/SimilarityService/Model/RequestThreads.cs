namespace SimilarityService.Model;

/// <summary>
/// libtorch's intra-op thread count on the thread that runs a request. <c>torch.set_num_threads</c> at start-up reaches
/// every thread that first runs libtorch afterwards; a thread that ran libtorch before (a host that trained or embedded
/// something first, as the tests do) keeps its count, so each request thread applies the setting once itself.
/// </summary>
public static class RequestThreads
{
    [ThreadStatic] private static int applied;

    /// <summary>Applies <paramref name="threads"/> (0: leave libtorch's default) to this thread, once per thread.</summary>
    public static void Apply(int threads)
    {
        if (threads <= 0 || applied == threads) return;
        MlNetSiamese.TorchThreads.SetIntraOp(threads);
        applied = threads;
    }
}
