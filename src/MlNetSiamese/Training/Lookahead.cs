using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Training;

/// <summary>
/// airbench's lookahead: from <see cref="StartFraction"/> of the run on, every <see cref="Every"/> steps the network's
/// floating-point state (parameters and batch-norm statistics) is averaged into a slow copy, <c>slow = rho slow + (1 -
/// rho) weights</c>, and the network restarts from the slow copy; <c>rho = 0.95^Every x (step / total)^3</c>, so it
/// follows the fast weights at first and holds them back more and more as the learning rate falls. At the end of every
/// epoch the network is set to the slow copy. Unlike <see cref="WeightAverage"/> the network itself trains on from
/// the average, so there is nothing to swap in for validation or saving, and after an epoch nothing else to keep: a
/// run resumed at an epoch boundary restarts the slow copy from the network (<see cref="Resume"/>).
/// </summary>
internal sealed class Lookahead(nn.Module network, long totalSteps) : IDisposable
{
    public const double StartFraction = 0.3;
    public const int Every = 5;
    private const double DecayBase = 0.95, DecayPower = 3;
    private List<(Tensor Weights, Tensor Slow)>? pairs;

    /// <summary>The first step (1-based count) at which the slow copy is taken.</summary>
    private long FirstStep => Math.Max(Every, (long)Math.Ceiling(StartFraction * totalSteps / Every) * Every);

    /// <summary>The decay applied after step <paramref name="stepsDone"/> (1-based).</summary>
    public double DecayAt(long stepsDone) => Math.Pow(DecayBase, Every) * Math.Pow((double)stepsDone / totalSteps, DecayPower);

    /// <summary>After the optimiser step that brings the count to <paramref name="stepsDone"/>.</summary>
    public void AfterStep(long stepsDone)
    {
        if (stepsDone < FirstStep || stepsDone % Every != 0) return;
        if (pairs == null) { Start(); return; }
        using var _ = no_grad();
        double rho = DecayAt(stepsDone);
        using var keep = rho.ToScalar();
        using var take = (1 - rho).ToScalar();
        foreach (var (weights, slow) in pairs)
        {
            slow.mul_(keep).add_(weights, take);
            weights.copy_(slow);
        }
    }

    /// <summary>At the end of an epoch: the network takes the slow weights.</summary>
    public void EndEpoch()
    {
        if (pairs == null) return;
        using var _ = no_grad();
        foreach (var (weights, slow) in pairs) weights.copy_(slow);
    }

    /// <summary>A run resumed after <paramref name="stepsDone"/> steps: the slow copy, if it had been taken, equals the network's weights at that epoch boundary.</summary>
    public void Resume(long stepsDone)
    {
        if (stepsDone >= FirstStep) Start();
    }

    private void Start()
    {
        using var _ = no_grad();
        pairs = new();
        foreach (var (_, t) in network.state_dict())
            if (t.is_floating_point()) pairs.Add((t, t.detach().clone().DetachFromDisposeScope()));
    }

    public void Dispose()
    {
        foreach (var (_, slow) in pairs ?? []) slow.Dispose();
        pairs = null;
    }
}
