using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetSiamese.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Tests.Export;

/// <summary>
/// Every encoder kind exported to ONNX gives, in ONNX Runtime with its graph optimisations on, the embeddings of the
/// library's own Transform within 1e-5 on 1,000 rows.
/// </summary>
public class OnnxExportTests(ITestOutputHelper output)
{
    private static readonly MLContext Ml = new(1);

    public static TheoryData<EncoderKind, int, bool> Kinds => new()
    {
        { EncoderKind.Mlp, 0, false },
        { EncoderKind.ConvNet, 3, false },
        { EncoderKind.ConvNet, 1, true },
        { EncoderKind.FastConvNet, 3, true },
        { EncoderKind.ResNet, 3, false },
    };

    private static (SiameseEmbeddingTransformer Model, IDataView Data) Trained(EncoderKind kind, int channels, bool flip)
    {
        var rows = channels == 0 ? Synthetic.Clusters(4, 250, 24, seed: 1) : Synthetic.Images(classes: 4, perClass: 250, channels: channels, size: 12, seed: 1);
        var data = Synthetic.Load(Ml, rows);
        var options = new SiameseEmbeddingOptions
        {
            ImageChannels = channels, ImageHeight = channels > 0 ? 12 : 0, ImageWidth = channels > 0 ? 12 : 0,
            Encoder = { Kind = kind, Widths = kind == EncoderKind.Mlp ? [20, 12] : [12, 20, 28], EmbeddingDimension = 10 },
            Objective = { ClassesPerBatch = 4, SamplesPerClass = 4 }, Training = { Epochs = 1, Seed = 2 }, Inference = { TestTimeFlip = flip },
        };
        var model = Ml.Transforms.Conversion.MapValueToKey("Label").Append(Ml.Transforms.SiameseEmbed(options)).Fit(data);
        return (model.LastTransformer, data);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void OnnxRuntimeGivesTheTransformsEmbeddings(EncoderKind kind, int channels, bool flip)
    {
        var (model, data) = Trained(kind, channels, flip);
        string path = Path.Combine(Models.TempDir(), $"{kind}.onnx");
        model.ExportToOnnx(path);
        Assert.False(File.Exists(path + ".tmp"));

        var expected = Synthetic.Embeddings(model.Transform(data), "Embedding");
        var inputs = Synthetic.Embeddings(data, "Features");
        Assert.Equal(1000, inputs.Length);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(path, options);
        Assert.Equal("Features", session.InputMetadata.Keys.Single());
        Assert.Equal("Embedding", session.OutputMetadata.Keys.Single());
        Assert.Equal("10", session.ModelMetadata.CustomMetadataMap["mlnetsiamese.embedding_dimension"]);
        Assert.Equal(flip ? "true" : "false", session.ModelMetadata.CustomMetadataMap["mlnetsiamese.test_time_flip"]);

        int width = inputs[0].Length;
        var tensor = new DenseTensor<float>(inputs.SelectMany(r => r).ToArray(), [inputs.Length, width]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", tensor)]);
        var actual = results.Single().AsEnumerable<float>().ToArray();
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
            for (int j = 0; j < expected[i].Length; j++) max = Math.Max(max, Math.Abs(expected[i][j] - actual[i * expected[i].Length + j]));
        output.WriteLine($"{kind} ({channels} channels, flip {flip}): max |ONNX Runtime - Transform| = {max:G3} on {inputs.Length} rows");
        Assert.True(max < 1e-5, $"{kind}: ONNX Runtime differs from Transform by {max}");
    }

    [Theory]
    [InlineData(1, false)]   // grey: the plane three times
    [InlineData(3, true)]    // RGB -> BGR, and the mirrored copy
    public void ImageNetResNet18ExportsWithItsResizeMeanImageAndCntkPadding(int channels, bool flip)
    {
        // 12 x 12 images resized to 40: stages of 20, 10, 5, 3 and 2 pixels, so the odd sizes' padding is exported too.
        var data = Synthetic.Load(Ml, Synthetic.Images(classes: 2, perClass: 8, channels: channels, size: 12, seed: 1));
        var options = new SiameseEmbeddingOptions
        {
            ImageChannels = channels, ImageHeight = 12, ImageWidth = 12,
            Encoder = { Kind = EncoderKind.ImageNetResNet18, EmbeddingDimension = 512, ResizeTo = 40 },
            Objective = { ClassesPerBatch = 2, SamplesPerClass = 4 }, Training = { Epochs = 1, LearningRate = 1e-4f, Seed = 2 }, Inference = { TestTimeFlip = flip },
        };
        var model = Ml.Transforms.SiameseEmbed(options).Fit(data);
        string path = Path.Combine(Models.TempDir(), "imagenet.onnx");
        model.ExportToOnnx(path);
        var expected = Synthetic.Embeddings(model.Transform(data), "Embedding");
        var inputs = Synthetic.Embeddings(data, "Features");
        using var session = new InferenceSession(path);
        var tensor = new DenseTensor<float>(inputs.SelectMany(r => r).ToArray(), [inputs.Length, inputs[0].Length]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", tensor)]);
        var actual = results.Single().AsEnumerable<float>().Chunk(512).ToArray();
        float max = Models.MaxAbsDifference(expected, actual);
        output.WriteLine($"ImageNetResNet18 ({channels} channels, flip {flip}): max |ONNX Runtime - Transform| = {max:G3}");
        Assert.True(max < 1e-5, $"ONNX Runtime differs from Transform by {max}");
    }

    [Fact]
    public void MlNetsApplyOnnxModelEmbedsLikeTheTransformer()
    {
        var (model, data) = Trained(EncoderKind.ConvNet, 3, true);
        string path = Path.Combine(Models.TempDir(), "apply.onnx");
        model.ExportToOnnx(path);
        // ML.NET's own ONNX route: the columns keep their names, the output column is the embedding.
        var onnx = Ml.Transforms.ApplyOnnxModel(outputColumnName: "Embedding", inputColumnName: "Features", modelFile: path).Fit(data);
        var expected = Synthetic.Embeddings(model.Transform(data), "Embedding");
        var actual = Synthetic.Embeddings(onnx.Transform(data), "Embedding");
        Assert.True(Models.MaxAbsDifference(expected, actual) < 1e-5f);
    }

    [Fact]
    public void AnOnnxFileWhoseInputShapeDoesNotMatchTheDataIsRefusedNamingTheColumnAndBothShapes()
    {
        var (model, _) = Trained(EncoderKind.Mlp, 0, false);
        string path = Path.Combine(Models.TempDir(), "shape.onnx");
        model.ExportToOnnx(path);
        var other = Synthetic.Load(Ml, Synthetic.Clusters(2, 5, 20, seed: 3));
        var error = Assert.ThrowsAny<Exception>(() => Ml.Transforms.ApplyOnnxModel(outputColumnName: "Embedding", inputColumnName: "Features", modelFile: path).Fit(other).Transform(other).Preview());
        output.WriteLine(error.GetType() + ": " + error.Message);
        Assert.Contains("Features", error.Message);
        Assert.Contains("24", error.Message);
        Assert.Contains("20", error.Message);
    }

    [Fact]
    public void ALayerExportDoesNotKnowIsNamed()
    {
        var e = Assert.Throws<NotSupportedException>(() => MlNetSiamese.Export.OnnxExport.Network(new MlNetSiamese.Export.OnnxGraph(), TorchSharp.torch.nn.Dropout(), "x"));
        Assert.Contains("Dropout", e.Message);
    }

    [Fact]
    public void ADamagedFileIsRefusedByTheRuntime()
    {
        var (model, _) = Trained(EncoderKind.Mlp, 0, false);
        string path = Path.Combine(Models.TempDir(), "damaged.onnx");
        model.ExportToOnnx(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.ThrowsAny<OnnxRuntimeException>(() => new InferenceSession(path));
    }
}
