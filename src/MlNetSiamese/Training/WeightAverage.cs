using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Training;

/// <summary>
/// An exponential moving average of a network's weights (Polyak averaging, as in timm's ModelEma and TF's
/// ExponentialMovingAverage): after every optimiser step each floating-point tensor of the state (parameters and
/// batch-norm statistics) moves toward the trained one, <c>average = d * average + (1 - d) * weight</c>, with
/// <c>d = min(decay, (1 + step) / (10 + step))</c> so the first steps do not drag in the initial weights; integer
/// buffers are copied. <see cref="Swap"/> exchanges the averaged and the trained weights in place, so validation, the
/// best-epoch snapshot and the final model use the average while training goes on from the trained weights.
/// </summary>
internal sealed class WeightAverage : IDisposable
{
    private readonly List<(Tensor Trained, Tensor Average)> pairs = new();
    private readonly double decay;

    public WeightAverage(nn.Module network, double decay)
    {
        if (decay is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "Weight-averaging decay must be in (0, 1).");
        this.decay = decay;
        using var _ = no_grad();
        foreach (var (_, tensor) in network.state_dict())
            pairs.Add((tensor, tensor.detach().clone()));
    }

    /// <summary>The decay used at optimiser step <paramref name="step"/> (0-based, counted over the whole run).</summary>
    public double DecayAt(long step) => Math.Min(decay, (1.0 + step) / (10.0 + step));

    /// <summary>Moves the average toward the trained weights after optimiser step <paramref name="step"/>.</summary>
    public void Update(long step)
    {
        double d = DecayAt(step);
        using var _ = no_grad();
        using var keep = d.ToScalar();
        using var take = (1 - d).ToScalar();
        foreach (var (trained, average) in pairs)
        {
            if (trained.is_floating_point()) average.mul_(keep).add_(trained, take);
            else average.copy_(trained);
        }
    }

    /// <summary>Exchanges the averaged and the trained weights in place (twice restores them).</summary>
    public void Swap()
    {
        using var _ = no_grad();
        foreach (var (trained, average) in pairs)
        {
            using var held = trained.clone();
            trained.copy_(average);
            average.copy_(held);
        }
    }

    public void Dispose()
    {
        foreach (var (_, average) in pairs) average.Dispose();
        pairs.Clear();
    }
}
