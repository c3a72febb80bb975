using MlNetSiamese.Bench;
using Xunit;

namespace MlNetSiamese.Tests.Bench;

/// <summary>
/// Keeps the speed harness (bench/MlNetSiamese.Bench, issue #6) from rotting: every benchmark in-process at the
/// smallest sizes, without the PyTorch peer. Checks that it runs and that every measurement is a positive number;
/// the numbers themselves mean nothing at these sizes.
/// </summary>
public class BenchSmokeTests
{
    [Fact]
    public void HarnessRunsEveryBenchmarkAtTinySizes()
    {
        // Keep the process's torch thread count as it is: the harness sets it, and other tests share the process.
        int threads = TorchSharp.torch.get_num_threads();
        var log = new ResultLog();
        int exit = Program.Run(
        [
            "all", "--smoke", "--no-peer", "--threads", threads.ToString(), "--encoders", "ConvNet",
            "--warmup-batches", "1", "--train-batches", "1", "--rows", "32", "--batch-sizes", "16", "--latency-calls", "3",
            "--galleries", "20000", "--queries", "5", "--bandwidth-mib", "16", "--warmup-seconds", "0",
        ], log);

        Assert.Equal(threads, TorchSharp.torch.get_num_threads());
        Assert.DoesNotContain(log.All, r => r.Bench == "error");
        Assert.Equal(0, exit);
        Assert.True(log.Find("training", "ConvNet mlnet-loop")?.Median > 0);
        foreach (var path in new[] { "raw-torchsharp", "encoder-embed", "mlnet-transform", "folded-torchsharp" })
            Assert.True(log.Find("inference", $"ConvNet b16 {path}")?.Median > 0, path);
        Assert.True(log.Find("latency", "ConvNet prediction-engine")?.Median > 0);
        foreach (var path in new[] { "b1", "b64", "b256" })
            Assert.True(log.Find("onnx", $"{path} onnxruntime")?.Median > 0 && log.Find("onnx", $"{path} folded-torchsharp")?.Median > 0, path);
        Assert.True(log.Find("onnx-latency", "onnxruntime-1")?.Median > 0);
        Assert.Contains(log.All, r => r.Bench == "target" && r.Name.Contains("ONNX Runtime"));
        Assert.Contains("ONNX Runtime against the folded TorchSharp network", Report.Markdown(log));
        Assert.True(log.Find("search", "20000 x 64 Search")?.Median > 0);
        Assert.Contains(log.All, r => r.Bench == "bandwidth" && r.Median > 0);
        Assert.Contains(log.All, r => r.Bench == "target" && r.Name.Contains("Transform"));
        Assert.Contains("Targets", Report.Markdown(log));
    }
}
