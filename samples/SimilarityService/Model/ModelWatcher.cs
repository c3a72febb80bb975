using SimilarityService.Search;

namespace SimilarityService.Model;

/// <summary>
/// Polls the model file (and calibration.json beside it) and swaps a new model in only once it is complete and checked:
/// <list type="number">
/// <item>a change of size or modification time is noticed, then the file must hold still for one more poll (a copy
/// in progress keeps changing);</item>
/// <item>the bytes are read once, hashed and loaded (<see cref="ModelLoader"/>): it must load, have an embedding step
/// and pass the probe;</item>
/// <item>its embedding dimension must equal the store's, when a store is known;</item>
/// <item>then it is swapped in atomically; requests in flight finish on the old model.</item>
/// </list>
/// A failed attempt keeps the old model, logs why (also shown by /health) and is tried again when the file changes again.
/// </summary>
public sealed class ModelWatcher(ModelHolder holder, ISimilarityStore store, ServiceSettings settings, ILogger<ModelWatcher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Ask the store once at start, so that its dimension is known before the first reload is checked against it.
        try { await store.HealthAsync(holder.Current, stoppingToken); }
        catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "Store {Store} did not answer at start", store.Name); }
        if (settings.ReloadPollMilliseconds == 0) return;
        string path = holder.Current.Path;
        var accepted = holder.Current.Stamp;   // what the served model was read from
        FileStamp? pending = null, failed = null;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(settings.ReloadPollMilliseconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                (accepted, pending, failed) = Poll(path, accepted, pending, failed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Model watcher: checking '{Path}' failed; the served model stays", path);
            }
        }
    }

    /// <summary>One poll; returns the stamps to remember.</summary>
    private (FileStamp Accepted, FileStamp? Pending, FileStamp? Failed) Poll(string path, FileStamp accepted, FileStamp? pending, FileStamp? failed)
    {
        var now = FileStamp.Of(path);
        if (now == accepted || now == failed) return (accepted, null, failed);
        if (now != pending) return (accepted, now, failed);   // changed since the last poll: wait until it holds still
        if (now.ModelMissing)
        {
            Fail($"Model file '{path}' has disappeared; still serving model {holder.Current.Id}.");
            return (accepted, null, now);
        }
        ServedModel next;
        try
        {
            next = ModelLoader.Load(path, settings.TorchThreads);
        }
        catch (ModelLoadException e)
        {
            Fail($"{e.Message} Still serving model {holder.Current.Id}; the file is tried again when it changes.");
            return (accepted, null, now);
        }
        if (store.Dimension is int dimension && next.Dimension != dimension)
        {
            Fail($"Model file '{path}' (model {next.Id}) gives {next.Dimension}-dimensional embeddings, but store {store.Name} holds {dimension}-dimensional ones; " +
                 $"still serving model {holder.Current.Id}. Index the new model into another table and point Similarity:StoreTable at it.");
            return (accepted, null, now);
        }
        var old = holder.Swap(next);
        holder.CountReload();
        holder.LastReloadError = null;
        if (old.Id == next.Id)
            log.LogInformation("Model file '{Path}' changed but holds the same model {Id}; reloaded (threshold {Threshold})", path, next.Id, next.Threshold);
        else
            log.LogInformation("Now serving model {Id} from '{Path}' (was {OldId}); {Dimension}-dimensional embeddings, threshold {Threshold}", next.Id, path, old.Id, next.Dimension, next.Threshold);
        return (next.Stamp, null, null);
    }

    private void Fail(string message)
    {
        holder.LastReloadError = new ReloadError(message, DateTimeOffset.UtcNow);
        log.LogError("Model reload failed: {Message}", message);
    }
}
