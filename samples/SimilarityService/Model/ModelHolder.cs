namespace SimilarityService.Model;

/// <summary>
/// The model being served. <see cref="Current"/> is read once per request; <see cref="Swap"/> replaces it atomically,
/// so requests in flight finish on the model they started with (it is left to the garbage collector after them).
/// </summary>
public sealed class ModelHolder(ServedModel first)
{
    private ServedModel current = first;

    public ServedModel Current => Volatile.Read(ref current);

    /// <summary>Serves <paramref name="next"/> from now on; returns the model it replaces.</summary>
    public ServedModel Swap(ServedModel next) => Interlocked.Exchange(ref current, next);

    /// <summary>Successful reloads since start.</summary>
    public int Reloads => reloads;
    private int reloads;
    internal void CountReload() => Interlocked.Increment(ref reloads);

    /// <summary>Why the last reload attempt failed (the old model stayed), and when; null after a success.</summary>
    public ReloadError? LastReloadError
    {
        get => Volatile.Read(ref lastError);
        internal set => Volatile.Write(ref lastError, value);
    }
    private ReloadError? lastError;
}

/// <summary>A reload that kept the old model: why, and when.</summary>
public sealed record ReloadError(string Message, DateTimeOffset At);
