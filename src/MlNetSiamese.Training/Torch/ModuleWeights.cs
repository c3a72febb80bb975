using System.Security.Cryptography;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Torch;

/// <summary>
/// The weights of a module (an encoder, a training head) as a checked binary blob: magic, tensor count, then per tensor its name, element type,
/// shape and little-endian data, then a SHA-256 of all that. Reading checks the hash first and then that every
/// name and shape equals the network rebuilt from its configuration, so a damaged or lying blob is refused before
/// anything is allocated from what it claims.
/// </summary>
internal static class ModuleWeights
{
    private static readonly byte[] Magic = "MNSWGT01"u8.ToArray();
    private const int Float32 = 1, Int64 = 2;

    /// <summary>What <see cref="Write"/> writes, as bytes (snapshots for the best epoch and checkpoints).</summary>
    public static byte[] ToBytes(nn.Module module)
    {
        using var stream = new MemoryStream();
        Write(stream, module);
        return stream.ToArray();
    }

    public static void Write(Stream stream, nn.Module module)
    {
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            var state = module.state_dict();
            w.Write(state.Count);
            foreach (var (name, tensor) in state)
            {
                using var t = tensor.detach().cpu().contiguous();
                w.Write(name);
                int type = t.dtype == ScalarType.Float32 ? Float32 : t.dtype == ScalarType.Int64 ? Int64 : throw new NotSupportedException($"Tensor '{name}' has element type {t.dtype}; only float32 and int64 are stored.");
                w.Write(type);
                w.Write(t.shape.Length);
                foreach (long d in t.shape) w.Write(d);
                w.Write(t.bytes);   // little-endian float32 / int64 storage, as it is in memory
            }
        }
        var bytes = body.ToArray();
        stream.Write(bytes);
        stream.Write(SHA256.HashData(bytes));
    }

    /// <summary>Loads weights written by <see cref="Write"/> into <paramref name="module"/>; <see cref="InvalidDataException"/> on any mismatch.</summary>
    public static void Read(Stream stream, nn.Module module, string what)
    {
        var state = module.state_dict();
        long expected = 64 + state.Sum(kv => 256L + 8 * kv.Value.shape.Length + kv.Value.numel() * 8);
        var bytes = ReadAtMost(stream, expected + 32, what);
        if (bytes.Length < Magic.Length + 4 + 32) throw new InvalidDataException($"{what}: {bytes.Length} bytes is too short for encoder weights.");
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw new InvalidDataException($"{what}: checksum mismatch; the encoder weights are damaged.");

        using var r = new BinaryReader(new MemoryStream(bytes, 0, body.Length), Encoding.UTF8);
        try
        {
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException($"{what}: not encoder weights (bad magic).");
            int count = r.ReadInt32();
            if (count != state.Count) throw new InvalidDataException($"{what}: holds {count} tensors; the configured encoder has {state.Count}.");
            using var _ = no_grad();
            foreach (var (name, target) in state)
            {
                string stored = r.ReadString();
                if (stored != name) throw new InvalidDataException($"{what}: found tensor '{stored}' where the configured encoder has '{name}'.");
                int type = r.ReadInt32();
                int wantType = target.dtype == ScalarType.Float32 ? Float32 : Int64;
                if (type != wantType) throw new InvalidDataException($"{what}: tensor '{name}' has element type code {type}; expected {wantType}.");
                int rank = r.ReadInt32();
                if (rank != target.shape.Length) throw new InvalidDataException($"{what}: tensor '{name}' claims rank {rank}; the configured encoder has [{string.Join(", ", target.shape)}].");
                var shape = new long[rank];
                for (int i = 0; i < rank; i++) shape[i] = r.ReadInt64();
                if (!shape.SequenceEqual(target.shape)) throw new InvalidDataException($"{what}: tensor '{name}' claims shape [{string.Join(", ", shape)}]; the configured encoder has [{string.Join(", ", target.shape)}].");
                long n = target.numel();
                if (r.BaseStream.Length - r.BaseStream.Position < n * (type == Float32 ? 4L : 8L))
                    throw new InvalidDataException($"{what}: tensor '{name}' needs {n} values but the data ends first.");
                int size = checked((int)(n * (type == Float32 ? 4 : 8)));
                using var t = empty(shape, type == Float32 ? ScalarType.Float32 : ScalarType.Int64);
                r.ReadBytes(size).CopyTo(t.bytes);
                target.copy_(t);
            }
            if (r.BaseStream.Position != r.BaseStream.Length) throw new InvalidDataException($"{what}: {r.BaseStream.Length - r.BaseStream.Position} unexpected bytes after the last tensor.");
        }
        catch (EndOfStreamException e) { throw new InvalidDataException($"{what}: the encoder weights end early.", e); }
    }

    private static byte[] ReadAtMost(Stream stream, long limit, string what)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > limit) throw new InvalidDataException($"{what}: larger than the configured encoder's weights can be ({limit} bytes).");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
