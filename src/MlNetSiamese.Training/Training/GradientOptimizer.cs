using System.Runtime.InteropServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Training;

/// <summary>
/// What the optimisers share: the parameters, the learning rate a schedule sets before each step, the step count,
/// per-parameter state tensors (Adam's two moments), clearing gradients, and the checkpoint form: a
/// magic string naming the optimiser, the parameter count, the step count, then each parameter's state tensors as a
/// value count and raw float32 values. State written by another optimiser is refused, naming it.
/// Written here instead of using TorchSharp's optimisers because those pass temporary <see cref="TorchSharp.Scalar"/> objects to
/// libtorch without keeping them alive: the garbage collector may finalise one while libtorch still reads it, and a
/// training run then fails at random with "Unknown scalar type" (seen in a test run). Every scalar a
/// <see cref="Step"/> here creates lives until the step is done.
/// </summary>
internal abstract class GradientOptimizer : IDisposable
{
    private readonly string magic;

    protected GradientOptimizer(string magic, IReadOnlyList<Parameter> parameters, double learningRate, double weightDecay, int stateTensorsPerParameter)
    {
        if (learningRate < 0) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be >= 0.");
        if (weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The weight decay must be >= 0.");
        this.magic = magic;
        Parameters = parameters;
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        State = parameters.Select(p => Enumerable.Range(0, stateTensorsPerParameter).Select(_ => zeros_like(p).DetachFromDisposeScope()).ToArray()).ToArray();
    }

    protected IReadOnlyList<Parameter> Parameters { get; }
    protected double WeightDecay { get; }
    /// <summary>State[i] are parameter i's state tensors, zero at the start.</summary>
    protected Tensor[][] State { get; }
    /// <summary>Steps taken, counting the one in progress inside <see cref="Step"/>.</summary>
    protected long Steps { get; private set; }

    /// <summary>The step size of the next <see cref="Step"/> (a schedule sets it before each batch).</summary>
    public double LearningRate { get; set; }

    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        foreach (var p in Parameters) p.grad?.zero_();
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        Steps++;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Update();
    }

    /// <summary>The update rule, with gradients off, inside a dispose scope, after <see cref="Steps"/> counted this step.</summary>
    protected abstract void Update();

    /// <summary>Step count and state, for a training checkpoint.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(magic);
        writer.Write(Parameters.Count);
        writer.Write(Steps);
        foreach (var tensors in State)
            foreach (var t in tensors)
            {
                using var cpu = t.cpu().contiguous();
                writer.Write((int)cpu.numel());
                writer.Write(cpu.bytes);
            }
    }

    /// <summary>What <see cref="Save"/> writes, as bytes.</summary>
    public byte[] ToBytes()
    {
        using var state = new MemoryStream();
        using (var writer = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true)) Save(writer);
        return state.ToArray();
    }

    /// <summary>Restores what <see cref="Save"/> wrote for the same optimiser and parameters; <paramref name="source"/> names the file in errors.</summary>
    public void Load(BinaryReader reader, string source)
    {
        string found;
        try { found = reader.ReadString(); }
        catch (Exception e) when (e is EndOfStreamException or IOException) { found = ""; }
        if (found != magic)
            throw new InvalidDataException($"The optimiser state in {source} is not '{magic}' (written by another optimiser or version?); start the run again without resuming, or resume with the interrupted run's optimiser.");
        int count = reader.ReadInt32();
        if (count != Parameters.Count)
            throw new InvalidDataException($"The optimiser state in {source} holds {count} parameters; this model has {Parameters.Count}.");
        long savedSteps = reader.ReadInt64();
        foreach (var tensors in State)
            foreach (var t in tensors) ReadTensor(reader, t, source);
        Steps = savedSteps;
    }

    private static void ReadTensor(BinaryReader reader, Tensor into, string source)
    {
        int length = reader.ReadInt32();
        if (length != into.numel())
            throw new InvalidDataException($"The optimiser state in {source} has a state tensor of {length} values for a parameter of {into.numel()}.");
        var values = new float[length];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        try { reader.BaseStream.ReadExactly(bytes); }
        catch (EndOfStreamException) { throw new InvalidDataException($"The optimiser state in {source} ends inside a state tensor."); }
        using var loaded = tensor(values, into.shape);
        using (no_grad()) into.copy_(loaded);
    }

    public void Dispose()
    {
        foreach (var tensors in State)
            foreach (var t in tensors) t.Dispose();
    }
}
