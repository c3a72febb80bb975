using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Tests.Support;
using Xunit;

namespace MlNetSiamese.Tests.Catalog;

/// <summary>Every estimator and transformer of the library through the same contract (<see cref="EstimatorContract"/>).</summary>
public class EveryEstimatorContractTests
{
    private static readonly MLContext Ml = new(1);

    private sealed class Pair
    {
        public string Label { get; set; } = "";
        [VectorType(Dim)] public float[] A { get; set; } = [];
        [VectorType(Dim)] public float[] B { get; set; } = [];
        public long Id { get; set; }
    }

    private const int Dim = 6;

    private static IDataView Pairs(int n, int seed)
    {
        var r = new Random(seed);
        float[] V() => Enumerable.Range(0, Dim).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        return Ml.Data.LoadFromEnumerable(Enumerable.Range(0, n).Select(i => new Pair { Label = $"c{i % 3}", A = V(), B = V(), Id = i }).ToList());
    }

    [Fact]
    public void SiameseEmbedOnPlainVectors()
    {
        var data = Synthetic.Load(Ml, Synthetic.Clusters(3, 6, 12, 1));
        SiameseEmbeddingOptions Options(string input) => new()
        {
            InputColumnName = input, Encoder = { EmbeddingDimension = 4, Widths = [8] }, Objective = { ClassesPerBatch = 3, SamplesPerClass = 2 }, Training = { Epochs = 1, Seed = 1 },
        };
        EstimatorContract.Check(Ml, Ml.Transforms.SiameseEmbed(Options("Features")), data, ["Embedding"], input => Ml.Transforms.SiameseEmbed(Options(input)), wrongTypeColumn: "Label");
    }

    [Theory]
    [InlineData(EncoderKind.ConvNet, false)]
    [InlineData(EncoderKind.FastConvNet, true)]   // with the test-time flip
    public void SiameseEmbedOnImages(EncoderKind kind, bool flip)
    {
        var data = Synthetic.Load(Ml, Synthetic.Images(classes: 3, perClass: 6, channels: 3, size: 8, seed: 1));
        SiameseEmbeddingOptions Options(string input) => new()
        {
            InputColumnName = input, ImageChannels = 3, ImageHeight = 8, ImageWidth = 8,
            Encoder = { Kind = kind, Widths = [4, 8], EmbeddingDimension = 4 }, Objective = { ClassesPerBatch = 3, SamplesPerClass = 2 },
            Training = { Epochs = 1, Seed = 1 }, Inference = { TestTimeFlip = flip, BatchSize = 5 },
        };
        EstimatorContract.Check(Ml, Ml.Transforms.SiameseEmbed(Options("Features")), data, ["Embedding"], input => Ml.Transforms.SiameseEmbed(Options(input)), wrongTypeColumn: "Label");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.1f)]   // with the IsMatch column
    public void CosineSimilarity(float? threshold)
    {
        var data = Pairs(9, 2);
        string[] outputs = threshold.HasValue ? ["Similarity", "IsMatch"] : ["Similarity"];
        EstimatorContract.Check(Ml, Ml.Transforms.CosineSimilarity("Similarity", "A", "B", threshold), data, outputs,
            input => Ml.Transforms.CosineSimilarity("Similarity", input, "B", threshold), wrongTypeColumn: "Label");
    }

    [Fact]
    public void NeighborSearch()
    {
        var gallery = Pairs(20, 3);
        var index = Ml.Siamese().BuildIndex(gallery, "Id", "A");
        var search = Ml.Siamese().SearchNeighbors(index, "B", k: 4);
        var wrong = Ml.Data.LoadFromEnumerable(new[] { new { B = "text" } });
        EstimatorContract.CheckTransformer(Ml, search, Pairs(7, 4), ["NeighborIds", "NeighborScores"], (wrong, "B"));
    }

    [Fact]
    public void TheEmbeddingTransformerOnOtherColumns()
    {
        var data = Pairs(8, 5);
        var embed = ((IEnumerable<ITransformer>)Ml.Transforms.Conversion.MapValueToKey("Label").Append(Ml.Transforms.SiameseEmbed(new SiameseEmbeddingOptions
        {
            InputColumnName = "A", Encoder = { EmbeddingDimension = 3, Widths = [8] }, Objective = { ClassesPerBatch = 3, SamplesPerClass = 2 }, Training = { Epochs = 1, Seed = 1 },
        })).Fit(data)).OfType<SiameseEmbeddingTransformer>().Single();
        var pairs = embed.WithColumns(new InputOutputColumnPair("EmbeddingA", "A"), new InputOutputColumnPair("EmbeddingB", "B"));
        var wrong = Ml.Data.LoadFromEnumerable(new[] { new { A = "text", B = "text" } });
        EstimatorContract.CheckTransformer(Ml, pairs, data, ["EmbeddingA", "EmbeddingB"], (wrong, "A"));
    }
}
