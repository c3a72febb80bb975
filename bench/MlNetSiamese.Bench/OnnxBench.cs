using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MlNetSiamese.Encoders;
using MlNetSiamese.Training;

namespace MlNetSiamese.Bench;

/// <summary>
/// Issue #20, item 4: the same Fashion-MNIST-shaped ConvNet (1x28x28, the library's default widths, after a few
/// training batches) embedded by the library's batch-norm-folded TorchSharp network (<c>Encoder.Embed</c>, what
/// <c>Transform</c> runs per batch) and by ONNX Runtime on the exported file (all graph optimisations, the same
/// number of intra-op threads as torch), at batch 1, 64 and 256 over the same rows, repetitions round-robin; and
/// single-image latency (p50/p99) of both. ONNX Runtime's inputs are wrapped, not copied; torch copies them in and
/// out, as the cursor does.
/// </summary>
public static class OnnxBench
{
    private const int Side = 28, InputSize = Side * Side;

    public static void Run(Settings s, ResultLog log)
    {
        int n = s.InferenceRows;
        var random = new Random(3);
        var data = new float[(long)n * InputSize];
        for (long i = 0; i < data.Length; i++) data[i] = random.Next(256) / 255f;
        using var encoder = Trained(s);
        using var folded = encoder.ForInference();
        string path = Path.Combine(Path.GetTempPath(), $"mlnetsiamese-bench-{Environment.ProcessId}.onnx");
        MlNetSiamese.Export.OnnxExport.Save(encoder, "Features", "Embedding", path);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = s.Threads, InterOpNumThreads = 1 };
        using var session = new InferenceSession(path, options);
        File.Delete(path);
        int dim = encoder.Config.EmbeddingDimension;
        var details = new Dictionary<string, object?> { ["encoder"] = "ConvNet 1x28x28", ["widths"] = string.Join(",", encoder.Config.Widths), ["rows"] = n, ["threads"] = s.Threads, ["onnxruntime"] = typeof(InferenceSession).Assembly.GetName().Version?.ToString() };

        foreach (int batch in new[] { 1, 64, 256 })
        {
            int rows = batch == 1 ? Math.Min(n, 500) : n;
            var outputs = new float[batch * dim];
            double Torch()
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int start = 0; start < rows; start += batch)
                {
                    int count = Math.Min(batch, rows - start);
                    folded.Embed(data.AsSpan(start * InputSize, count * InputSize), count, outputs.AsSpan(0, count * dim));
                }
                return rows / Stopwatch.GetElapsedTime(t0).TotalSeconds;
            }
            var batches = Enumerable.Range(0, (rows + batch - 1) / batch).Select(b =>
            {
                int count = Math.Min(batch, rows - b * batch);
                return OrtValue.CreateTensorValueFromMemory(data.AsMemory(b * batch * InputSize, count * InputSize).ToArray(), new long[] { count, InputSize });
            }).ToList();
            double Ort()
            {
                long t0 = Stopwatch.GetTimestamp();
                using var run = new RunOptions();
                foreach (var value in batches)
                    using (var result = session.Run(run, ["Features"], [value], ["Embedding"])) { }
                return rows / Stopwatch.GetElapsedTime(t0).TotalSeconds;
            }
            Torch(); Ort();   // warm-up
            var torchRates = new List<double>();
            var ortRates = new List<double>();
            for (int rep = 0; rep < s.Repetitions; rep++) { torchRates.Add(Torch()); ortRates.Add(Ort()); }
            foreach (var v in batches) v.Dispose();
            var d = new Dictionary<string, object?>(details) { ["batch"] = batch, ["rows_timed"] = rows };
            log.Add(Result.From("onnx", $"b{batch} folded-torchsharp", "images/s", Stats.Of(torchRates), d));
            log.Add(Result.From("onnx", $"b{batch} onnxruntime", "images/s", Stats.Of(ortRates), d));
        }

        var one = new float[dim];
        log.Add(Latency("folded-torchsharp-1", s, i => folded.Embed(data.AsSpan((i % n) * InputSize, InputSize), 1, one), details));
        var singles = Enumerable.Range(0, Math.Min(n, 256)).Select(i => OrtValue.CreateTensorValueFromMemory(data.AsMemory(i * InputSize, InputSize).ToArray(), new long[] { 1, InputSize })).ToArray();
        using (var run = new RunOptions())
            log.Add(Latency("onnxruntime-1", s, i => { using var r = session.Run(run, ["Features"], [singles[i % singles.Length]], ["Embedding"]); }, details));
        foreach (var v in singles) v.Dispose();
    }

    private static Encoder Trained(Settings s)
    {
        var random = new Random(5);
        int rows = s.InferenceTrainBatches * s.BatchSize;
        var features = new float[(long)rows * InputSize];
        for (long i = 0; i < features.Length; i++) features[i] = random.Next(256) / 255f;
        var labels = Enumerable.Range(0, rows).Select(i => i % s.TrainClasses).ToArray();
        var options = new SiameseEmbeddingOptions
        {
            ImageChannels = 1, ImageHeight = Side, ImageWidth = Side, Encoder = { Kind = EncoderKind.ConvNet, EmbeddingDimension = 64 },
            Objective = { ClassesPerBatch = s.ClassesPerBatch, SamplesPerClass = s.SamplesPerClass }, Training = { Epochs = 1, Seed = 1 },
        };
        return TrainingBench.Trainer(options, new Progress<TrainingProgress>()).Train(new TrainingSet(features, labels, InputSize));
    }

    private static Result Latency(string name, Settings s, Action<int> call, Dictionary<string, object?> details)
    {
        var ms = InferenceBench.Latency(s, call);
        return new Result
        {
            Bench = "onnx-latency", Name = name, Unit = "ms", Median = Stats.Percentile(ms, 50), Min = ms.Min(), Max = ms.Max(),
            Details = new(details) { ["p50_ms"] = Stats.Percentile(ms, 50), ["p99_ms"] = Stats.Percentile(ms, 99), ["calls"] = ms.Count },
        };
    }
}
