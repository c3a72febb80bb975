using Microsoft.Extensions.AI;
using Microsoft.ML;
using MlNetSiamese.Tests.Support;
using Xunit;

namespace MlNetSiamese.Tests.Serving;

/// <summary>The model through Microsoft.Extensions.AI's abstraction only, over TorchSharp and over ONNX.</summary>
public class SiameseEmbeddingGeneratorTests
{
    private static readonly MLContext Ml = new(1);

    private static (SiameseEmbeddingTransformer Model, float[][] Inputs) Trained()
    {
        var data = Synthetic.Load(Ml, Synthetic.Images(classes: 3, perClass: 40, channels: 1, size: 8, seed: 1));
        var model = Ml.Transforms.Conversion.MapValueToKey("Label").Append(Ml.Transforms.SiameseEmbed(new SiameseEmbeddingOptions
        {
            ImageChannels = 1, ImageHeight = 8, ImageWidth = 8, Encoder = { Widths = [12, 20], EmbeddingDimension = 6 },
            Objective = { ClassesPerBatch = 3, SamplesPerClass = 4 }, Training = { Epochs = 1, Seed = 1 },
        })).Fit(data).LastTransformer;
        return (model, Synthetic.Embeddings(data, "Features"));
    }

    private static float[][] Vectors(GeneratedEmbeddings<Embedding<float>> embeddings) => embeddings.Select(e => e.Vector.ToArray()).ToArray();

    [Fact]
    public async Task EightConcurrentCallersGetTheVectorsOfOneBatchedCall()
    {
        var (model, inputs) = Trained();
        IEmbeddingGenerator<float[], Embedding<float>> generator = model.AsEmbeddingGenerator(Ml, batchSize: 32);
        var all = Vectors(await generator.GenerateAsync(inputs));
        Assert.Equal(inputs.Length, all.Length);
        Assert.True(Models.MaxAbsDifference(Synthetic.Embeddings(model.Transform(Synthetic.Load(Ml, Synthetic.Images(3, 40, 1, 8, 1))), "Embedding"), all) < 1e-5f);

        var parts = Enumerable.Range(0, 8).Select(p => inputs.Where((_, i) => i % 8 == p).ToArray()).ToArray();
        var results = await Task.WhenAll(parts.Select(part => Task.Run(() => generator.GenerateAsync(part))));
        for (int p = 0; p < 8; p++)
        {
            var expected = all.Where((_, i) => i % 8 == p).ToArray();
            Assert.True(Models.MaxAbsDifference(expected, Vectors(results[p])) < 1e-5f, $"caller {p}");
        }
        var metadata = (EmbeddingGeneratorMetadata)generator.GetService(typeof(EmbeddingGeneratorMetadata))!;
        Assert.Equal(6, metadata.DefaultModelDimensions);
    }

    [Fact]
    public async Task TheExportedOnnxModelThroughApplyOnnxModelGivesTheSameVectors()
    {
        var (model, inputs) = Trained();
        string path = Path.Combine(Models.TempDir(), "generator.onnx");
        model.ExportToOnnx(path);
        var empty = Ml.Data.LoadFromEnumerable(new[] { new Synthetic.VectorRow { Label = "a", Features = inputs[0] } }, SchemaFor(64));
        var onnx = Ml.Transforms.ApplyOnnxModel("Embedding", "Features", path).Fit(empty);
        using var overOnnx = new SiameseEmbeddingGenerator(Ml, onnx, 64, 6);
        using var overTorch = model.AsEmbeddingGenerator(Ml);
        Assert.True(Models.MaxAbsDifference(Vectors(await overTorch.GenerateAsync(inputs)), Vectors(await overOnnx.GenerateAsync(inputs))) < 1e-5f);
    }

    [Fact]
    public async Task BadInputIsNamedAndCancellationStops()
    {
        var (model, inputs) = Trained();
        using var generator = model.AsEmbeddingGenerator(Ml, batchSize: 8);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync([inputs[0], new float[10]]));
        Assert.Contains("Input 1 for column 'Features' has 10 values; the model takes 64", e.Message);
        var nan = (float[])inputs[0].Clone();
        nan[3] = float.NaN;
        Assert.Contains("value 3 is NaN", (await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync([nan]))).Message);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => generator.GenerateAsync(inputs, cancellationToken: cancelled.Token));
        Assert.Contains("'Nope'", Assert.Throws<ArgumentException>(() => new SiameseEmbeddingGenerator(Ml, model, 64, 6, outputColumnName: "Nope")).Message);
    }

    private static Microsoft.ML.Data.SchemaDefinition SchemaFor(int size)
    {
        var s = Microsoft.ML.Data.SchemaDefinition.Create(typeof(Synthetic.VectorRow));
        s["Features"].ColumnType = new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Single, size);
        return s;
    }
}
