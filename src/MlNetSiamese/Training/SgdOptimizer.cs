using MlNetSiamese.Encoders;
using MlNetSiamese.Torch;
using TorchSharp;
using TorchSharp.Modules;

namespace MlNetSiamese.Training;

/// <summary>
/// Stochastic gradient descent with Nesterov momentum and L2 weight decay, PyTorch's update rule
/// (<c>torch.optim.SGD(momentum, nesterov=True, weight_decay)</c>): g = grad + decay * w; v = momentum * v + g
/// (v = g at the first step); w -= lr * (g + momentum * v). State per parameter: the velocity v.
/// </summary>
internal sealed class SgdOptimizer : GradientOptimizer
{
    private readonly double momentum;

    public SgdOptimizer(IReadOnlyList<Parameter> parameters, double learningRate, double weightDecay, double momentum = 0.9,
        IReadOnlyList<double>? learningRateScales = null)
        : base("MlNetSiamese.SgdNesterov/1", parameters, learningRate, weightDecay, stateTensorsPerParameter: 1, learningRateScales)
    {
        if (momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "The momentum must be in [0, 1).");
        this.momentum = momentum;
    }

    protected override void Update()
    {
        foreach (var (scale, indices) in Groups) Update(LearningRate * scale, WeightDecay / scale, indices);
    }

    private void Update(double lr, double weightDecay, int[] indices)
    {
        using var decay = weightDecay.ToScalar();
        using var mu = momentum.ToScalar();
        using var minusLr = (-lr).ToScalar();
        foreach (int i in indices)
        {
            var p = Parameters[i];
            var grad = p.grad;
            if (grad is null) continue;
            if (weightDecay != 0) grad = grad.add(p, alpha: decay);
            var velocity = State[i][0];
            if (Steps == 1) velocity.copy_(grad);
            else velocity.mul_(mu).add_(grad, Scalars.One);
            p.add_(grad.add(velocity, alpha: mu), alpha: minusLr);
        }
    }
}
