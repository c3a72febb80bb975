using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Tests.Data;

/// <summary>
/// Loads the 50,000 CIFAR-10 train JPEGs through the image-folder path (about 20 s on 2 cores), reads one epoch, and
/// measures managed memory (the figure in data/README.md). Returns early when the shared copy is absent outside CI.
/// The managed heap is the process's, so the test runs with no other test beside it (a parallel test that reads the
/// ImageNet weights or a model zip would count in its peak).
/// </summary>
[Collection(nameof(MemoryMeasurement))]
public class CifarImageFolderMemoryTests
{
    private readonly ITestOutputHelper _output;

    public CifarImageFolderMemoryTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Loads50000CifarJpegsUnder1GB()
    {
        string root = Path.Combine(SharedData.Cifar10Jpeg, "train");
        if (!Directory.Exists(root))
        {
            Assert.False(SharedData.IsCi, $"CI is set but the CIFAR-10 JPEG copy is missing at {root}");
            _output.WriteLine($"SKIPPED: no CIFAR-10 JPEG copy at {root}");
            return;
        }
        const int expected = 50_000;

        long before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = before;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                await Task.Delay(20);
            }
        });
        var clock = Stopwatch.StartNew();
        var view = ImageFolder.LoadInMemory(root, 32, 32);
        double loadSeconds = clock.Elapsed.TotalSeconds;

        // One pass over every row, as a training epoch reads them.
        clock.Restart();
        var features = view.Schema["Features"];
        var label = view.Schema["Label"];
        using (var cursor = view.GetRowCursor(new[] { features, label }, new Random(0)))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
            var getLabel = cursor.GetGetter<ReadOnlyMemory<char>>(label);
            VBuffer<float> f = default;
            ReadOnlyMemory<char> l = default;
            double sum = 0;
            while (cursor.MoveNext())
            {
                getFeatures(ref f);
                getLabel(ref l);
                sum += f.GetValues()[0];
            }
            Assert.True(sum > 0);
        }
        double epochSeconds = clock.Elapsed.TotalSeconds;
        stop.Cancel();
        await sampler;

        long after = GC.GetTotalMemory(forceFullCollection: true);
        var info = GC.GetGCMemoryInfo();
        string report = $"CIFAR-10 JPEG train: {view.Count} images loaded in {loadSeconds:F1} s " +
            $"({Environment.ProcessorCount} threads), one epoch read in {epochSeconds:F1} s; managed heap held after load " +
            $"{(after - before) / 1e6:F0} MB (total {after / 1e6:F0} MB, GC heap size {info.HeapSizeBytes / 1e6:F0} MB), " +
            $"peak sampled {peak / 1e6:F0} MB; pixel bytes {view.PixelBytes / 1e6:F0} MB; process peak working set " +
            $"{Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB";
        _output.WriteLine(report);
        Console.WriteLine(report);

        Assert.Equal(expected, view.Count);
        Assert.Equal(10, view.ClassNames.Count);
        Assert.Equal(expected * 3072L, view.PixelBytes);
        Assert.True(after - before < 1_000_000_000L, report);
        Assert.True(peak < 1_000_000_000L, report);
        GC.KeepAlive(view);
    }
}

/// <summary>Tests that measure the process's memory: run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;
