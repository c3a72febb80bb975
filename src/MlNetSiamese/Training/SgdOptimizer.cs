using MlNetSiamese.Encoders;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Training;

/// <summary>
/// Stochastic gradient descent with Nesterov momentum and L2 weight decay, PyTorch's update rule
/// (<c>torch.optim.SGD(momentum, nesterov=True, weight_decay)</c>): g = grad + decay * w; v = momentum * v + g
/// (v = g at the first step); w -= lr * (g + momentum * v). Kept next to <see cref="AdamOptimizer"/> for the same
/// reason: every scalar lives until the step is done.
/// </summary>
internal sealed class SgdOptimizer : IOptimizer
{
    private const string Magic = "MlNetSiamese.SgdNesterov/1";
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly Tensor[] velocities;
    private readonly double momentum, weightDecay;
    private long steps;

    public SgdOptimizer(IReadOnlyList<Parameter> parameters, double learningRate, double weightDecay, double momentum = 0.9)
    {
        if (learningRate < 0) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be >= 0.");
        if (weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The weight decay must be >= 0.");
        if (momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "The momentum must be in [0, 1).");
        this.parameters = parameters;
        LearningRate = learningRate;
        this.weightDecay = weightDecay;
        this.momentum = momentum;
        velocities = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    public double LearningRate { get; set; }

    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        foreach (var p in parameters) p.grad?.zero_();
    }

    public void Step()
    {
        steps++;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var decay = weightDecay.ToScalar();
        using var mu = momentum.ToScalar();
        using var minusLr = (-LearningRate).ToScalar();
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            var grad = p.grad;
            if (grad is null) continue;
            if (weightDecay != 0) grad = grad.add(p, alpha: decay);
            if (steps == 1) velocities[i].copy_(grad);
            else velocities[i].mul_(mu).add_(grad, Scalars.One);
            p.add_(grad.add(velocities[i], alpha: mu), alpha: minusLr);
        }
    }

    public void Save(BinaryWriter writer)
    {
        writer.Write(Magic);
        writer.Write(parameters.Count);
        writer.Write(steps);
        foreach (var v in velocities) OptimizerState.WriteTensor(writer, v);
    }

    public void Load(BinaryReader reader, string source)
    {
        OptimizerState.ReadMagic(reader, Magic, source);
        int count = reader.ReadInt32();
        if (count != parameters.Count)
            throw new InvalidDataException($"The optimiser state in {source} holds {count} parameters; this model has {parameters.Count}.");
        long savedSteps = reader.ReadInt64();
        foreach (var v in velocities) OptimizerState.ReadTensor(reader, v, source);
        steps = savedSteps;
    }

    public void Dispose()
    {
        foreach (var v in velocities) v.Dispose();
    }
}
