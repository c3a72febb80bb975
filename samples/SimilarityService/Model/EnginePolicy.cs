using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;

namespace SimilarityService.Model;

/// <summary>Makes PredictionEngines (not thread-safe, so one per request at a time) for an object pool.</summary>
public sealed class EnginePolicy<TIn, TOut>(Func<PredictionEngine<TIn, TOut>> create) : IPooledObjectPolicy<PredictionEngine<TIn, TOut>>
    where TIn : class where TOut : class, new()
{
    public PredictionEngine<TIn, TOut> Create() => create();

    public bool Return(PredictionEngine<TIn, TOut> engine) => true;
}
