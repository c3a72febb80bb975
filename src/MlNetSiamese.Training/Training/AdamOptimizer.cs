using MlNetSiamese.Encoders;
using MlNetSiamese.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Training;

/// <summary>
/// Adam, with L2 weight decay added to the gradient, or AdamW, with weight decay decoupled from it (Loshchilov and
/// Hutter); PyTorch's update rules and defaults. State per parameter: the first and the second moment.
/// </summary>
internal sealed class AdamOptimizer(IReadOnlyList<Parameter> parameters, double learningRate, double weightDecay, bool decoupled,
    double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    : GradientOptimizer("MlNetSiamese.Adam/1", parameters, learningRate, weightDecay, stateTensorsPerParameter: 2)
{
    protected override void Update()
    {
        double lr = LearningRate, weightDecay = WeightDecay;
        double correction1 = 1 - Math.Pow(beta1, Steps), correction2 = 1 - Math.Pow(beta2, Steps);
        using var b1 = beta1.ToScalar();
        using var oneMinusB1 = (1 - beta1).ToScalar();
        using var b2 = beta2.ToScalar();
        using var oneMinusB2 = (1 - beta2).ToScalar();
        using var decay = weightDecay.ToScalar();
        using var shrink = (1 - lr * weightDecay).ToScalar();
        using var rootCorrection2 = Math.Sqrt(correction2).ToScalar();
        using var eps = epsilon.ToScalar();
        using var stepSize = (-lr / correction1).ToScalar();
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            var grad = p.grad;
            if (grad is null) continue;
            if (weightDecay != 0)
            {
                if (decoupled) p.mul_(shrink);
                else grad = grad.add(p, alpha: decay);
            }
            var (first, second) = (State[i][0], State[i][1]);
            first.mul_(b1).add_(grad, alpha: oneMinusB1);
            second.mul_(b2).addcmul_(grad, grad, value: oneMinusB2);
            var denominator = second.sqrt().div_(rootCorrection2).add_(eps, Scalars.One);
            p.addcdiv_(first, denominator, value: stepSize);
        }
    }
}
