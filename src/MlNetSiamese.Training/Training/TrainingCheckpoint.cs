using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MlNetSiamese.Training;

/// <summary>
/// Everything needed to continue a training run after its last completed epoch: the whole recipe it was started with
/// (encoder, objective, training; see <see cref="CheckpointSession"/>), the current and the best weights, the
/// optimiser's state, the early-stopping counters and the epoch history.
/// Written atomically (temporary file, then rename) after every epoch; a damaged file is refused, never half-used.
/// </summary>
internal sealed class TrainingCheckpoint
{
    private static readonly byte[] Magic = "MNSCKP02"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
    private const long MaxSectionBytes = 1L << 31;

    /// <summary>The recipe the run started with, as JSON: resuming needs the same, field by field.</summary>
    public required string RecipeJson { get; init; }
    /// <summary>The training-row count the run started with: resuming needs the same data.</summary>
    public required int TrainingRows { get; init; }
    public required int CompletedEpochs { get; init; }
    public required double BestScore { get; init; }
    public required int EpochsSinceBest { get; init; }
    public required byte[] Weights { get; init; }
    public byte[]? BestWeights { get; init; }
    public required byte[] OptimizerState { get; init; }
    /// <summary>Training-only modules next to the encoder (the classification head), or null.</summary>
    public byte[]? HeadWeights { get; init; }
    public required IReadOnlyList<TrainingProgress> History { get; init; }

    /// <summary>Writes to <paramref name="path"/> through a temporary file and a rename: the previous checkpoint stays until the new one is complete.</summary>
    public void Save(string path)
    {
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(RecipeJson);
            w.Write(TrainingRows);
            w.Write(CompletedEpochs); w.Write(BestScore); w.Write(EpochsSinceBest);
            WriteSection(w, Weights);
            w.Write(BestWeights != null);
            if (BestWeights != null) WriteSection(w, BestWeights);
            WriteSection(w, OptimizerState);
            w.Write(HeadWeights != null);
            if (HeadWeights != null) WriteSection(w, HeadWeights);
            w.Write(JsonSerializer.Serialize(History, Json));
        }
        var bytes = body.ToArray();
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            file.Write(bytes);
            file.Write(SHA256.HashData(bytes));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>Reads a checkpoint; <see cref="InvalidDataException"/> naming the file when it is damaged or not a checkpoint.</summary>
    public static TrainingCheckpoint Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Training checkpoint '{path}' does not exist; train without resuming first.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a training checkpoint of this version (bad magic); train without resuming.");
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw new InvalidDataException($"Training checkpoint '{path}' is damaged (checksum mismatch); delete it and train without resuming.");
        using var r = new BinaryReader(new MemoryStream(bytes, Magic.Length, body.Length - Magic.Length), Encoding.UTF8);
        try
        {
            string recipe = r.ReadString();
            int rows = r.ReadInt32();
            int completed = r.ReadInt32(); double bestScore = r.ReadDouble(); int sinceBest = r.ReadInt32();
            var weights = ReadSection(r, path);
            var best = r.ReadBoolean() ? ReadSection(r, path) : null;
            var optimizer = ReadSection(r, path);
            var head = r.ReadBoolean() ? ReadSection(r, path) : null;
            var history = JsonSerializer.Deserialize<List<TrainingProgress>>(r.ReadString(), Json) ?? new();
            return new TrainingCheckpoint
            {
                RecipeJson = recipe, TrainingRows = rows, CompletedEpochs = completed,
                BestScore = bestScore, EpochsSinceBest = sinceBest, Weights = weights, BestWeights = best, OptimizerState = optimizer, HeadWeights = head, History = history,
            };
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or IOException)
        {
            throw new InvalidDataException($"Training checkpoint '{path}' cannot be read: {e.Message}", e);
        }
    }

    private static void WriteSection(BinaryWriter w, byte[] data)
    {
        w.Write((long)data.Length);
        w.Write(data);
    }

    private static byte[] ReadSection(BinaryReader r, string path)
    {
        long length = r.ReadInt64();
        if (length < 0 || length > MaxSectionBytes || length > r.BaseStream.Length - r.BaseStream.Position)
            throw new InvalidDataException($"Training checkpoint '{path}' claims a section of {length} bytes; the file is damaged.");
        return r.ReadBytes((int)length);
    }
}
