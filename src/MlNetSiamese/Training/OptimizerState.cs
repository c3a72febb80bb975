using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace MlNetSiamese.Training;

/// <summary>The checkpoint form the optimisers share: a magic string naming the optimiser, then tensors as a value count and raw float32 values.</summary>
internal static class OptimizerState
{
    public static void ReadMagic(BinaryReader reader, string magic, string source)
    {
        string found;
        try { found = reader.ReadString(); }
        catch (Exception e) when (e is EndOfStreamException or IOException) { found = ""; }
        if (found != magic)
            throw new InvalidDataException($"The optimiser state in {source} is not '{magic}' (written by another optimiser or version?); start the run again without resuming, or resume with the interrupted run's optimiser.");
    }

    public static void WriteTensor(BinaryWriter writer, Tensor t)
    {
        using var cpu = t.cpu().contiguous();
        writer.Write((int)cpu.numel());
        writer.Write(cpu.bytes);
    }

    public static void ReadTensor(BinaryReader reader, Tensor into, string source)
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
}
