using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Encoders;
using MlNetSiamese.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Encoders;

/// <summary>
/// The ImageNetResNet18 encoder: with its ImageNet weights and no training it gives ML.NET's own ResNet-18 features
/// (DnnFeaturizeImage, run by ONNX Runtime: a second library), its float32 path equals its float64 copy, and the
/// estimator fine-tunes it, saves and loads it, and refuses bad settings by name.
/// </summary>
public class ImageNetResNet18Tests(ITestOutputHelper output)
{
    private static EncoderConfig Config(int channels, int size, int resizeTo) => new()
    {
        Kind = EncoderKind.ImageNetResNet18, Channels = channels, Height = size, Width = size, InputSize = channels * size * size,
        EmbeddingDimension = ImageNetResNet18Encoder.Features, ResizeTo = resizeTo,
    };

    private static Encoder Pretrained(EncoderConfig config)
    {
        var encoder = new Encoder(config);
        using var weights = ImageNetResNet18Weights.Read(null);
        ((ImageNetResNet18Encoder)encoder.Network).LoadPretrained(weights);
        encoder.Network.eval();
        return encoder;
    }

    private static float[] RandomImages(int count, int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count * length).Select(_ => (float)random.NextDouble()).ToArray();
    }

    private sealed class Planar
    {
        [VectorType(3, 224, 224)] public float[] Pixels { get; set; } = [];
    }

    private sealed class Featurized
    {
        public float[] Features { get; set; } = [];
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]   // grey: the one plane in all three of the network's channels
    public void PretrainedFeaturesAreMlNetsResNet18Features(int channels)
    {
        const int side = 224, rows = 3;
        var images = RandomImages(rows, channels * side * side, seed: channels);
        using var encoder = Pretrained(Config(channels, side, side));
        var actual = new float[rows * 512];
        using (no_grad())
        using (var x = encoder.Input(images, rows, CPU))
        using (var y = encoder.ForwardUnnormalised(x, side, side))
            y.data<float>().CopyTo(actual, 0);

        // ML.NET's featurizer takes planar RGB on 0..255 at 224 x 224 (its preprocessing model turns it into BGR minus the mean image).
        var ml = new MLContext(1);
        var planar = Enumerable.Range(0, rows).Select(r => new Planar
        {
            Pixels = Enumerable.Range(0, 3).SelectMany(c => images.AsSpan((r * channels + Math.Min(c, channels - 1)) * side * side, side * side).ToArray()).Select(v => v * 255f).ToArray(),
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(planar);
        var featurizer = ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels").Fit(data);
        var expected = ml.Data.CreateEnumerable<Featurized>(featurizer.Transform(data), reuseRowObject: false).SelectMany(f => f.Features).ToArray();

        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs), worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"{channels} channel(s): largest feature {scale:F3}, largest difference {worst:E2}");
        Assert.True(scale > 0.5, "the features should not be degenerate");
        Assert.True(worst < 1e-3 * scale, $"features differ from ML.NET's ResNet-18 by {worst} (largest feature {scale})");
    }

    [Theory]
    [InlineData(3, 20, 40)]    // stages at 20, 10, 5 (odd: CNTK's padding), 3 and 2 pixels
    [InlineData(1, 28, 36)]    // grey
    public void Float32EmbeddingsEqualTheFloat64Copy(int channels, int size, int resizeTo)
    {
        const int rows = 4, dimension = ImageNetResNet18Encoder.Features;
        var config = Config(channels, size, resizeTo);
        using var encoder = Pretrained(config);
        var inputs = RandomImages(rows, config.InputSize, seed: 5);
        var expected = Float64Reference.Embeddings(encoder, inputs, rows);
        var actual = new float[rows * dimension];
        encoder.Embed(inputs, rows, actual);
        using var folded = encoder.ForInference();
        var fast = new float[rows * dimension];
        folded.Embed(inputs, rows, fast);
        Assert.True(Float64Reference.MaxDifference(actual, expected) < 1e-5, $"float32 differs from float64 by {Float64Reference.MaxDifference(actual, expected)}");
        Assert.True(Float64Reference.MaxDifference(fast, expected) < 1e-5, $"the inference copy differs from float64 by {Float64Reference.MaxDifference(fast, expected)}");
        Assert.True(expected.Distinct().Count() > 50, "the embeddings should not be degenerate");
    }

    [Fact]
    public void TheLossSeesAProjectionThatInferenceDrops()
    {
        var config = Config(3, 16, 32);
        using var encoder = Pretrained(config);
        var inputs = RandomImages(2, config.InputSize, seed: 6);
        using var x = encoder.Input(inputs, 2, CPU);
        using var _ = no_grad();
        encoder.Network.train();
        using (var training = encoder.ForwardUnnormalised(x, 16, 16)) Assert.Equal(new long[] { 2, config.TrainingDimension }, training.shape);
        encoder.Network.eval();
        using (var embedding = encoder.ForwardUnnormalised(x, 16, 16)) Assert.Equal(new long[] { 2, 512 }, embedding.shape);
        Assert.Equal(128, config.TrainingDimension);
    }

    private static SiameseEmbeddingOptions Options(float learningRate, int epochs = 1) => new()
    {
        ImageChannels = 1, ImageHeight = 16, ImageWidth = 16,
        Encoder = { Kind = EncoderKind.ImageNetResNet18, EmbeddingDimension = 512, ResizeTo = 32 },
        Objective = { ClassesPerBatch = 2, SamplesPerClass = 4 },
        Training = { Epochs = epochs, LearningRate = learningRate, Seed = 2 },
    };

    [Fact]
    public void TrainingStartsFromTheImageNetWeightsChangesThemAndSavesAndLoads()
    {
        var ml = new MLContext(1);
        var data = Synthetic.Load(ml, Synthetic.Images(classes: 2, perClass: 8, channels: 1, size: 16, seed: 1));
        var pixels = Synthetic.Embeddings(data, "Features");

        // A learning rate of 1e-20 (0 is refused): the embeddings are the normalised ImageNet features.
        var untouched = ml.Transforms.SiameseEmbed(Options(1e-20f)).Fit(data);
        var start = Synthetic.Embeddings(untouched.Transform(data), "Embedding");
        using var pretrained = Pretrained(Config(1, 16, 32));
        var reference = new float[pixels.Length * 512];
        pretrained.Embed(pixels.SelectMany(p => p).ToArray(), pixels.Length, reference);
        Assert.True(Models.MaxAbsDifference(start, reference.Chunk(512).ToArray()) < 1e-5, "with learning rate 1e-20 the model should embed as the ImageNet weights do");

        var tuned = ml.Transforms.SiameseEmbed(Options(1e-4f, epochs: 2)).Fit(data);
        var after = Synthetic.Embeddings(tuned.Transform(data), "Embedding");
        Assert.Equal(512, ((VectorDataViewType)tuned.GetOutputSchema(data.Schema)["Embedding"].Type).Size);
        Assert.True(Models.MaxAbsDifference(after, start) > 1e-3, "training should change the weights");

        // Frozen: the stem, and every batch norm's running statistics; trained: the rest, the norms' scale and shift too.
        var trainedState = tuned.EncoderModel.Network.state_dict();
        foreach (var (name, value) in pretrained.Network.state_dict())
        {
            bool same = value.allclose(trainedState[name], rtol: 0, atol: 0);
            bool frozen = name.StartsWith("stem.") || name.Contains("running_") || name.Contains("num_batches") || name == "meanImage";
            Assert.True(same == frozen, $"{name}: {(same ? "unchanged" : "changed")} by training");
        }

        string path = Path.Combine(Models.TempDir(), "model.zip");
        ml.Model.Save(tuned, data.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        Assert.Equal(0f, Models.MaxAbsDifference(after, Synthetic.Embeddings(loaded.Transform(data), "Embedding")));

        var classification = Options(1e-4f);
        classification.Objective.ClassificationLossWeight = 1f;   // the classification head takes the training projection's 128 values
        Assert.True(Models.MaxAbsDifference(Synthetic.Embeddings(ml.Transforms.SiameseEmbed(classification).Fit(data).Transform(data), "Embedding"), start) > 1e-4);

        var again = ml.Transforms.SiameseEmbed(Options(1e-4f, epochs: 2)).Fit(data);
        Assert.Equal(0f, Models.MaxAbsDifference(after, Synthetic.Embeddings(again.Transform(data), "Embedding")));   // same seed, same weights
    }

    [Fact]
    public void BadSettingsAndMissingWeightsAreNamed()
    {
        var ml = new MLContext(1);
        var data = Synthetic.Load(ml, Synthetic.Images(classes: 2, perClass: 4, channels: 1, size: 16, seed: 1));

        var widths = Options(1e-4f);
        widths.Encoder.Widths = [32, 64];
        Assert.Contains("Encoder.Widths", Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.SiameseEmbed(widths).Fit(data)).Message);

        var resize = Options(1e-4f);
        resize.Encoder.ResizeTo = 16;
        Assert.Contains("Encoder.ResizeTo", Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.SiameseEmbed(resize).Fit(data)).Message);
        resize.Encoder.Kind = EncoderKind.ConvNet;
        resize.Encoder.ResizeTo = 64;
        Assert.Contains("ImageNetResNet18 only", Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.SiameseEmbed(resize).Fit(data)).Message);
        resize.Encoder.ResizeTo = 0;
        resize.Encoder.PretrainedDirectory = "weights";
        Assert.Contains("Encoder.PretrainedDirectory", Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.SiameseEmbed(resize).Fit(data)).Message);

        var dimension = Options(1e-4f);
        dimension.Encoder.EmbeddingDimension = 64;
        Assert.Contains("Encoder.EmbeddingDimension", Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.SiameseEmbed(dimension).Fit(data)).Message);

        var channels = Options(1e-4f);
        channels.ImageChannels = 2; channels.ImageHeight = 8; channels.ImageWidth = 16;
        Assert.Contains("ImageChannels", Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.SiameseEmbed(channels).Fit(data)).Message);

        var missing = Options(1e-4f);
        missing.Encoder.PretrainedDirectory = Models.TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => ml.Transforms.SiameseEmbed(missing).Fit(data));
        Assert.Contains(Path.Combine(missing.Encoder.PretrainedDirectory, "ResNet18Onnx", "ResNet18.onnx"), e.Message);
        Assert.Contains("Microsoft.ML.DnnImageFeaturizer.ResNet18", e.Message);
        Assert.Contains("PretrainedDirectory", e.Message);

        var corrupt = Options(1e-4f);
        corrupt.Encoder.PretrainedDirectory = Models.TempDir();
        foreach (var file in new[] { ImageNetResNet18Weights.NetworkFile, ImageNetResNet18Weights.PreprocessFile })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(corrupt.Encoder.PretrainedDirectory, file))!);
            File.WriteAllBytes(Path.Combine(corrupt.Encoder.PretrainedDirectory, file), [0xff, 0xff, 0xff, 0x01, 0x02]);
        }
        Assert.Contains("ResNet18.onnx", Assert.Throws<InvalidDataException>(() => ml.Transforms.SiameseEmbed(corrupt).Fit(data)).Message);
    }
}
