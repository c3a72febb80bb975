using System.Diagnostics;
using Microsoft.ML;
using MlNetSiamese.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Tests.Persistence;

/// <summary>Hundreds of randomly damaged copies of a saved zip: each loads, or fails with an exception; none crashes, hangs or balloons.</summary>
public class DamagedModelTests(ITestOutputHelper output)
{
    [Fact]
    public void RandomlyDamagedZipsRaiseOnlyClearExceptions()
    {
        var (ml, data, model) = Models.TrainVectorPipeline();
        string dir = Models.TempDir();
        string path = Path.Combine(dir, "model.zip");
        ml.Model.Save(model, data.Schema, path);
        byte[] original = File.ReadAllBytes(path);
        var expected = Synthetic.Embeddings(model.Transform(data), "Embedding");
        var random = new Random(42);
        int loadedSame = 0, refused = 0;
        var kinds = new Dictionary<string, int>();
        long memoryBefore = GC.GetTotalMemory(true);

        for (int i = 0; i < 300; i++)
        {
            byte[] damaged = (byte[])original.Clone();
            if (i % 3 == 0) damaged = damaged[..random.Next(damaged.Length)];                      // truncation
            else for (int k = 0; k < 1 + i % 5; k++) damaged[random.Next(damaged.Length)] ^= (byte)(1 + random.Next(255)); // flipped bytes
            string copy = Path.Combine(dir, $"damaged{i}.zip");
            File.WriteAllBytes(copy, damaged);

            var clock = Stopwatch.StartNew();
            try
            {
                var loaded = new MLContext().Model.Load(copy, out _);
                var got = Synthetic.Embeddings(loaded.Transform(data), "Embedding");
                // Damage that ML.NET's zip reader cannot see (e.g. in unused header bytes) must not change results.
                Assert.Equal(0f, Models.MaxAbsDifference(expected, got));
                loadedSame++;
            }
            catch (Exception thrown) when (thrown is not Xunit.Sdk.XunitException)
            {
                // ML.NET calls loaders through reflection and wraps what they throw.
                var e = thrown is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : thrown;
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                Assert.IsNotType<OutOfMemoryException>(e);
                Assert.IsNotType<NullReferenceException>(e);
                Assert.IsNotType<IndexOutOfRangeException>(e);
                kinds[e.GetType().Name] = kinds.GetValueOrDefault(e.GetType().Name) + 1;
                refused++;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"copy {i} took {clock.Elapsed}");
            File.Delete(copy);
        }
        long memoryAfter = GC.GetTotalMemory(true);
        output.WriteLine($"loaded unchanged: {loadedSame}, refused: {refused} ({string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}"))}); managed memory {memoryBefore >> 20} -> {memoryAfter >> 20} MiB");
        Assert.True(refused > 250, "most damaged copies must be refused");
        Assert.True(memoryAfter - memoryBefore < 256L << 20, "no large allocation may survive");
    }
}
