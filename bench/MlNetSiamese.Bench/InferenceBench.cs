using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Encoders;
using MlNetSiamese.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Bench;

/// <summary>
/// Item 2 of issue #6, per encoder and batch size, over the same rows of 3x32x32 floats:
/// (a) ML.NET: <c>SiameseEmbeddingTransformer.Transform</c> over an IDataView from <c>LoadFromEnumerable</c> and a full
///     cursor reading the embedding column (the library's batched look-ahead cursor);
/// (b) raw TorchSharp: <c>Encoder.Forward</c> under no_grad on input tensors made beforehand;
/// (c) <c>Encoder.Embed</c> (what the cursor calls per batch: copy in, forward, copy out) on spans;
/// (d) raw TorchSharp forward of the batch-norm-folded network (<c>Encoder.ForInference</c>), which is what (a) runs;
/// (e) PyTorch eager in the peer; and single-item latency of PredictionEngine, Encoder.Embed(1 row) and the peer.
/// The encoder is the real trainer's output after a few batches, so batch-norm statistics are not the identity.
/// </summary>
public static class InferenceBench
{
    private const int InputSize = TrainingBench.Channels * TrainingBench.Side * TrainingBench.Side;

    public sealed class Row
    {
        [VectorType(InputSize)] public float[] Features { get; set; } = Array.Empty<float>();
    }

    public sealed class Output
    {
        [VectorType(64)] public float[] Embedding { get; set; } = Array.Empty<float>();
    }

    public static void Run(Settings s, ResultLog log)
    {
        var random = new Random(11);
        int n = s.InferenceRows;
        var data = new float[(long)n * InputSize];
        for (long i = 0; i < data.Length; i++) data[i] = random.Next(256) / 255f;
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, n).Select(i => new Row { Features = data.AsSpan(i * InputSize, InputSize).ToArray() }).ToList();
        var view = ml.Data.LoadFromEnumerable(rows);

        foreach (var kind in s.Encoders)
        {
            var encoderKind = Enum.Parse<EncoderKind>(kind);
            using var encoder = TinyTrained(s, encoderKind);
            var details = new Dictionary<string, object?> { ["encoder"] = kind, ["rows"] = n, ["threads"] = s.Threads };

            foreach (int batch in s.InferenceBatchSizes)
            {
                var d = new Dictionary<string, object?>(details) { ["batch"] = batch };
                var transformer = new SiameseEmbeddingTransformer(encoder, [new InputOutputColumnPair("Embedding", "Features")], batch);
                using var folded = encoder.ForInference();   // the network the transformer's cursor runs
                double diff = FoldedMaxDifference(encoder, folded, data, Math.Min(n, batch));
                if (diff > 1e-3) log.Add(new Result { Bench = "error", Name = $"{kind}: folded embeddings differ from unfolded by {diff:G3}" });
                var paths = new (string Name, Func<double> Seconds, Dictionary<string, object?> Details)[]
                {
                    ("raw-torchsharp", () => RawForward(encoder, data, n, batch), d),
                    ("encoder-embed", () => EmbedSpans(encoder, data, n, batch), d),
                    ("mlnet-transform", () => TransformAndCursor(transformer, view, n), new(d) { ["note"] = "runs the batch-norm-folded network" }),
                    ("folded-torchsharp", () => RawForward(folded, data, n, batch),
                        new(d) { ["max_abs_diff_vs_unfolded"] = diff, ["note"] = "Encoder.ForInference(): the library's folded inference network" }),
                };
                // One warm-up pass each, then the repetitions round-robin over the paths, so that a drift of the
                // machine's load affects every path alike.
                foreach (var path in paths) path.Seconds();
                var perPath = paths.Select(_ => new List<double>()).ToArray();
                for (int rep = 0; rep < s.Repetitions; rep++)
                    for (int p = 0; p < paths.Length; p++) perPath[p].Add(n / paths[p].Seconds());
                for (int p = 0; p < paths.Length; p++)
                    log.Add(Result.From("inference", $"{kind} b{batch} {paths[p].Name}", "images/s", Stats.Of(perPath[p]), paths[p].Details));
            }

            // single-item latency
            var single = new SiameseEmbeddingTransformer(encoder, [new InputOutputColumnPair("Embedding", "Features")], 64);
            var engine = ml.Model.CreatePredictionEngine<Row, Output>(single);
            var latencies = Latency(s, i => engine.Predict(rows[i % n]));
            log.Add(LatencyResult($"{kind} prediction-engine", latencies, details));
            var one = new float[64];
            latencies = Latency(s, i => encoder.Embed(data.AsSpan((i % n) * InputSize, InputSize), 1, one));
            log.Add(LatencyResult($"{kind} encoder-embed-1", latencies, details));

            if (s.RunPeer)
            {
                var peer = Peer.Run(s, log, "infer", $"--encoder {kind} --rows {n} --batches {string.Join(",", s.InferenceBatchSizes)} " +
                                                     $"--train-batches {s.InferenceTrainBatches} --reps {s.Repetitions} --latency-calls {s.LatencyCalls} --latency-warmup {s.LatencyWarmup}");
                if (peer != null)
                {
                    foreach (int batch in s.InferenceBatchSizes)
                        log.Add(Result.From("inference", $"{kind} b{batch} pytorch-eager", "images/s", Stats.Of(peer["images_per_s"]![batch.ToString()].Doubles()),
                            new(details) { ["batch"] = batch, ["torch"] = peer["torch"]?.GetValue<string>(), ["threads"] = peer["threads"]?.GetValue<int>(), ["command"] = peer["command"]?.GetValue<string>() }));
                    log.Add(LatencyResult($"{kind} pytorch-eager-1", peer["latency_ms"].Doubles(), new(details) { ["command"] = peer["command"]?.GetValue<string>() }));
                }
            }
        }
    }

    /// <summary>The encoder SiameseTrainer returns after a few batches (eval mode, non-trivial batch-norm statistics).</summary>
    private static Encoder TinyTrained(Settings s, EncoderKind kind)
    {
        var set = TrainingBench.SyntheticSet(s.TrainClasses, s.InferenceTrainBatches * s.BatchSize, seed: 5);
        return TrainingBench.Trainer(TrainingBench.Options(s, kind, seed: 1), new Progress<TrainingProgress>()).Train(set);
    }

    private static double RawForward(Encoder encoder, float[] data, int n, int batch)
    {
        var inputs = MakeInputs(data, n, batch);
        try
        {
            using var _ = no_grad();
            long t0 = Stopwatch.GetTimestamp();
            foreach (var x in inputs)
            {
                using var scope = NewDisposeScope();
                encoder.Forward(x);
            }
            return Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        finally { foreach (var x in inputs) x.Dispose(); }
    }

    /// <summary>The rows as [batch, InputSize] tensors in torch-owned memory, made before the clock starts (as Encoder.Input does).</summary>
    private static List<Tensor> MakeInputs(float[] data, int n, int batch)
    {
        var inputs = new List<Tensor>();
        for (int start = 0; start < n; start += batch)
        {
            int rows = Math.Min(batch, n - start);
            var x = empty(new long[] { rows, InputSize }, ScalarType.Float32);
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan(start * InputSize, rows * InputSize)).CopyTo(x.bytes);
            inputs.Add(x);
        }
        return inputs;
    }

    private static double FoldedMaxDifference(Encoder encoder, Encoder folded, float[] data, int rows)
    {
        var expected = new float[rows * 64];
        encoder.Embed(data.AsSpan(0, rows * InputSize), rows, expected);
        var got = new float[rows * 64];
        folded.Embed(data.AsSpan(0, rows * InputSize), rows, got);
        return expected.Zip(got, (a, b) => (double)Math.Abs(a - b)).Max();
    }

    private static double EmbedSpans(Encoder encoder, float[] data, int n, int batch)
    {
        var output = new float[batch * 64];
        long t0 = Stopwatch.GetTimestamp();
        for (int start = 0; start < n; start += batch)
        {
            int rows = Math.Min(batch, n - start);
            encoder.Embed(data.AsSpan(start * InputSize, rows * InputSize), rows, output.AsSpan(0, rows * 64));
        }
        return Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }

    private static double TransformAndCursor(SiameseEmbeddingTransformer transformer, IDataView view, int n)
    {
        long t0 = Stopwatch.GetTimestamp();
        var output = transformer.Transform(view);
        var column = output.Schema["Embedding"];
        using var cursor = output.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var value = default(VBuffer<float>);
        int count = 0;
        float checksum = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            checksum += value.GetValues()[0];
            count++;
        }
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        if (count != n || !float.IsFinite(checksum)) throw new InvalidOperationException($"The cursor gave {count} rows (expected {n}), checksum {checksum}.");
        return seconds;
    }

    /// <summary>Milliseconds of each of <c>LatencyCalls</c> single calls, after the warm-up (shared with the onnx group).</summary>
    internal static List<double> Latency(Settings s, Action<int> call)
    {
        WarmUp.Run(call, s.LatencyWarmup, s.WarmupSeconds);
        var ms = new List<double>(s.LatencyCalls);
        for (int i = 0; i < s.LatencyCalls; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            call(i);
            ms.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        return ms;
    }

    private static Result LatencyResult(string name, IReadOnlyList<double> ms, Dictionary<string, object?> details) => new()
    {
        Bench = "latency", Name = name, Unit = "ms", Median = Stats.Percentile(ms, 50), Min = ms.Min(), Max = ms.Max(),
        Details = new(details) { ["p50_ms"] = Stats.Percentile(ms, 50), ["p99_ms"] = Stats.Percentile(ms, 99), ["calls"] = ms.Count },
    };
}
