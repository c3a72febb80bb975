using MlNetSiamese.Encoders;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Training;

/// <summary>
/// Adam, with L2 weight decay added to the gradient, or AdamW, with weight decay decoupled from it (Loshchilov and
/// Hutter); PyTorch's update rules and defaults. Written here instead of using TorchSharp's optimisers because those
/// pass temporary <see cref="Scalar"/> objects to libtorch without keeping them alive: the garbage collector may
/// finalise one while libtorch still reads it, and a training run then fails at random with "Unknown scalar type"
/// (seen in a test run). Every scalar here lives until the step is done.
/// </summary>
internal sealed class AdamOptimizer : IOptimizer
{
    private const string Magic = "MlNetSiamese.Adam/1";
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly Tensor[] firstMoments, secondMoments;
    private readonly double beta1, beta2, epsilon, weightDecay;
    private readonly bool decoupled;
    private long steps;

    public AdamOptimizer(IReadOnlyList<Parameter> parameters, double learningRate, double weightDecay, bool decoupled,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        if (learningRate < 0) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be >= 0.");
        if (weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The weight decay must be >= 0.");
        this.parameters = parameters;
        LearningRate = learningRate;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        firstMoments = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        secondMoments = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>The step size of the next <see cref="Step"/> (a schedule sets it before each batch).</summary>
    public double LearningRate { get; set; }

    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        foreach (var p in parameters) p.grad?.zero_();
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        steps++;
        double lr = LearningRate;
        double correction1 = 1 - Math.Pow(beta1, steps), correction2 = 1 - Math.Pow(beta2, steps);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var b1 = beta1.ToScalar();
        using var oneMinusB1 = (1 - beta1).ToScalar();
        using var b2 = beta2.ToScalar();
        using var oneMinusB2 = (1 - beta2).ToScalar();
        using var decay = weightDecay.ToScalar();
        using var shrink = (1 - lr * weightDecay).ToScalar();
        using var rootCorrection2 = Math.Sqrt(correction2).ToScalar();
        using var eps = epsilon.ToScalar();
        using var stepSize = (-lr / correction1).ToScalar();
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            var grad = p.grad;
            if (grad is null) continue;
            if (weightDecay != 0)
            {
                if (decoupled) p.mul_(shrink);
                else grad = grad.add(p, alpha: decay);
            }
            firstMoments[i].mul_(b1).add_(grad, alpha: oneMinusB1);
            secondMoments[i].mul_(b2).addcmul_(grad, grad, value: oneMinusB2);
            var denominator = secondMoments[i].sqrt().div_(rootCorrection2).add_(eps, Scalars.One);
            p.addcdiv_(firstMoments[i], denominator, value: stepSize);
        }
    }

    /// <summary>Step count and moments, for a training checkpoint.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(Magic);
        writer.Write(parameters.Count);
        writer.Write(steps);
        for (int i = 0; i < parameters.Count; i++)
        {
            OptimizerState.WriteTensor(writer, firstMoments[i]);
            OptimizerState.WriteTensor(writer, secondMoments[i]);
        }
    }

    /// <summary>Restores what <see cref="Save"/> wrote for the same parameters; <paramref name="source"/> names the file in errors.</summary>
    public void Load(BinaryReader reader, string source)
    {
        OptimizerState.ReadMagic(reader, Magic, source);
        int count = reader.ReadInt32();
        if (count != parameters.Count)
            throw new InvalidDataException($"The optimiser state in {source} holds {count} parameters; this model has {parameters.Count}.");
        long savedSteps = reader.ReadInt64();
        for (int i = 0; i < parameters.Count; i++)
        {
            OptimizerState.ReadTensor(reader, firstMoments[i], source);
            OptimizerState.ReadTensor(reader, secondMoments[i], source);
        }
        steps = savedSteps;
    }

    public void Dispose()
    {
        foreach (var t in firstMoments) t.Dispose();
        foreach (var t in secondMoments) t.Dispose();
    }
}
