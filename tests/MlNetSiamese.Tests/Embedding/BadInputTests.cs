using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Tests.Support;
using Xunit;

namespace MlNetSiamese.Tests.Embedding;

/// <summary>Every bad input gets an exception whose message names the column or option and what was expected.</summary>
public class BadInputTests
{
    private static readonly MLContext Ml = new(1);

    private static SiameseEmbeddingOptions Quick(Action<SiameseEmbeddingOptions>? change = null)
    {
        var o = new SiameseEmbeddingOptions { Encoder = { EmbeddingDimension = 4, Widths = new[] { 8 } }, Objective = { ClassesPerBatch = 2, SamplesPerClass = 2 }, Training = { Epochs = 1, Seed = 1 } };
        change?.Invoke(o);
        return o;
    }

    private static Exception FitFails(IDataView data, SiameseEmbeddingOptions options) =>
        Assert.ThrowsAny<Exception>(() => Ml.Transforms.SiameseEmbed(options).Fit(data));

    [Fact]
    public void MissingInputColumnIsNamedBeforeTraining()
    {
        var data = Synthetic.Load(Ml, Synthetic.Clusters(2, 4, 6, 1));
        var est = Ml.Transforms.SiameseEmbed(Quick(o => o.InputColumnName = "Pixels"));
        var e = Assert.ThrowsAny<ArgumentException>(() => est.GetOutputSchema(MlNetSiamese.Pipeline.SchemaShapes.From(data.Schema)));
        Assert.Contains("'Pixels'", e.Message);
        Assert.Contains("'Pixels'", FitFails(data, Quick(o => o.InputColumnName = "Pixels")).Message);
    }

    [Fact]
    public void MissingLabelColumnIsNamed()
    {
        var data = Synthetic.Load(Ml, Synthetic.Clusters(2, 4, 6, 1));
        var est = Ml.Transforms.SiameseEmbed(Quick(o => o.LabelColumnName = "Class"));
        Assert.Contains("'Class'", Assert.ThrowsAny<ArgumentException>(() => est.GetOutputSchema(MlNetSiamese.Pipeline.SchemaShapes.From(data.Schema))).Message);
        Assert.Contains("'Class'", FitFails(data, Quick(o => o.LabelColumnName = "Class")).Message);
    }

    [Fact]
    public void WrongColumnTypeIsNamed()
    {
        var data = Ml.Data.LoadFromEnumerable(new[] { new TextRow { Label = "a", Features = "x" }, new TextRow { Label = "b", Features = "y" } });
        var e = FitFails(data, Quick());
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("vector of Single", e.Message);
    }

    [Fact]
    public void VectorSizeMustMatchImageShape()
    {
        var data = Synthetic.Load(Ml, Synthetic.Clusters(2, 4, 6, 1));
        var e = FitFails(data, Quick(o => { o.ImageChannels = 1; o.ImageHeight = 4; o.ImageWidth = 4; }));
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("16", e.Message);
    }

    [Fact]
    public void VariableLengthVectorsAreRefused()
    {
        var data = Ml.Data.LoadFromEnumerable(new[] { new Synthetic.VectorRow { Label = "a", Features = new float[3] }, new Synthetic.VectorRow { Label = "b", Features = new float[3] } });
        var e = FitFails(data, Quick());
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("variable-length", e.Message);
    }

    [Fact]
    public void NaNAndInfinityNameTheRow()
    {
        var rows = Synthetic.Clusters(2, 4, 6, 1);
        rows[5].Features[2] = float.NaN;
        var e = FitFails(Synthetic.Load(Ml, rows), Quick());
        Assert.Contains("row 5", e.Message);
        Assert.Contains("'Features'", e.Message);
        rows[5].Features[2] = 0; rows[3].Features[0] = float.PositiveInfinity;
        Assert.Contains("row 3", FitFails(Synthetic.Load(Ml, rows), Quick()).Message);
    }

    [Fact]
    public void EmptyDataAndSingleClassAreRefused()
    {
        var rows = Synthetic.Clusters(2, 4, 6, 1);
        Assert.Contains("empty", FitFails(Ml.Data.LoadFromEnumerable(new List<Synthetic.VectorRow>(), EstimatorContractTests.SchemaFor(6)), Quick()).Message);
        var one = rows.Where(r => r.Label == "class0").ToList();
        Assert.Contains("at least 2 classes", FitFails(Synthetic.Load(Ml, one), Quick()).Message);
    }

    [Theory]
    [InlineData(TripletMining.SemiHard)]
    [InlineData(TripletMining.OfflineRandom)]
    public void MiningNeedsPositives(TripletMining mining)
    {
        var rows = Synthetic.Clusters(3, 1, 6, 1);   // every class has one example
        var e = FitFails(Synthetic.Load(Ml, rows), Quick(o => o.Objective.Mining = mining));
        Assert.Contains("2 or more examples", e.Message);
    }

    [Theory]
    [InlineData("Margin")]
    [InlineData("Epochs")]
    [InlineData("SamplesPerClass")]
    [InlineData("ClassesPerBatch")]
    [InlineData("EmbeddingDimension")]
    [InlineData("LearningRate")]
    [InlineData("ValidationFraction")]
    [InlineData("EarlyStoppingPatience")]
    [InlineData("ImageChannels")]
    [InlineData("Device")]
    [InlineData("ClassificationLabelSmoothing")]
    [InlineData("TrainingCropSize")]
    [InlineData("TrainingCropFraction")]
    public void OptionsOutOfRangeAreNamed(string option)
    {
        Action<SiameseEmbeddingOptions> change = option switch
        {
            "Margin" => o => o.Objective.Margin = -0.1f,
            "Epochs" => o => o.Training.Epochs = 0,
            "SamplesPerClass" => o => o.Objective.SamplesPerClass = 1,
            "ClassesPerBatch" => o => o.Objective.ClassesPerBatch = 1,
            "EmbeddingDimension" => o => o.Encoder.EmbeddingDimension = 0,
            "LearningRate" => o => o.Training.LearningRate = 0,
            "ValidationFraction" => o => o.Training.ValidationFraction = 1,
            "EarlyStoppingPatience" => o => o.Training.EarlyStoppingPatience = 2,
            "ImageChannels" => o => { o.ImageChannels = 3; o.ImageHeight = 0; },
            "ClassificationLabelSmoothing" => o => o.Objective.ClassificationLabelSmoothing = 1,
            "TrainingCropSize" => o => o.Training.TrainingCropSize = 8,   // the quick options are plain vectors: nothing to crop
            "TrainingCropFraction" => o => o.Training.TrainingCropFraction = 1.5f,
            _ => o => o.Training.Device = "nonsense:9",
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Transforms.SiameseEmbed(Quick(change)));
        Assert.Contains(option, e.Message);
    }

    [Fact]
    public void CosineSimilarityNamesMissingOrMismatchedColumns()
    {
        var data = Synthetic.Load(Ml, Synthetic.Clusters(2, 4, 6, 1));
        var e = Assert.ThrowsAny<ArgumentException>(() => Ml.Transforms.CosineSimilarity("S", "Features", "Other").Fit(data));
        Assert.Contains("'Other'", e.Message);
        Assert.ThrowsAny<ArgumentException>(() => Ml.Transforms.CosineSimilarity("S", "Features", "Features", threshold: 2f));
    }

    [Fact]
    public void TransformerRefusesInputOfTheWrongSize()
    {
        var (ml, _, model) = Models.TrainVectorPipeline();
        var other = Synthetic.Load(ml, Synthetic.Clusters(2, 4, 6, 1));
        var e = Assert.ThrowsAny<ArgumentException>(() => model.Transform(other));
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("12", e.Message);
    }

    private sealed class TextRow { public string Label { get; set; } = ""; public string Features { get; set; } = ""; }

    [Theory]
    [InlineData(EncoderKind.ConvNet, 3, 8)]      // three 2 x 2 pools
    [InlineData(EncoderKind.FastConvNet, 4, 8)]  // a stem, then three pooled stages
    [InlineData(EncoderKind.ResNet, 3, 1)]       // strided convolutions never reach 0
    public void ImagesSmallerThanTheEncoderTakesAreRefusedNamingTheMinimum(EncoderKind kind, int stages, int minimum)
    {
        int[] widths = Enumerable.Repeat(8, stages).ToArray();
        Assert.Equal(minimum, EncoderConfig.MinimumImageSide(kind, stages));
        if (minimum > 1)
        {
            var small = new SiameseEmbeddingOptions { ImageChannels = 1, ImageHeight = minimum - 1, ImageWidth = minimum - 1, Encoder = { Kind = kind, Widths = widths } };
            var e = Assert.Throws<ArgumentOutOfRangeException>(small.Validate);
            Assert.Contains("ImageHeight", e.Message);
            Assert.Contains($"at least {minimum} x {minimum}", e.Message);
            var config = new EncoderConfig { Kind = kind, Channels = 1, Height = minimum - 1, Width = minimum - 1, InputSize = (minimum - 1) * (minimum - 1), Widths = widths, EmbeddingDimension = 4 };
            Assert.Contains($"at least {minimum} x {minimum}", Assert.Throws<InvalidDataException>(config.Validate).Message);
        }
        // At the minimum the network runs (libtorch would fail below it with "Output size is too small").
        var fits = new EncoderConfig { Kind = kind, Channels = 1, Height = minimum, Width = minimum, InputSize = minimum * minimum, Widths = widths, EmbeddingDimension = 4 };
        using var encoder = new MlNetSiamese.Encoders.Encoder(fits);
        encoder.Network.eval();
        var output = new float[2 * 4];
        encoder.Embed(new float[2 * minimum * minimum], 2, output);
        Assert.All(output, v => Assert.True(float.IsFinite(v)));
    }
}
