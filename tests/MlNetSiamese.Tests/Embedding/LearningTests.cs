using Microsoft.ML;
using MlNetSiamese.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Tests.Embedding;

public class LearningTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(TripletMining.SemiHard, 0f)]
    [InlineData(TripletMining.BatchHard, 0f)]
    [InlineData(TripletMining.BatchAll, 0f)]
    [InlineData(TripletMining.OfflineRandom, 0f)]
    [InlineData(TripletMining.SemiHard, 1f)]   // with the auxiliary normalised-softmax classification loss
    public void TrainingLiftsHeldOutPrecisionFromChanceAboveNinety(TripletMining mining, float classification)
    {
        var ml = new MLContext(seed: 1);
        var train = Synthetic.Load(ml, Synthetic.Clusters(classes: 8, perClass: 80, dims: 32, seed: 1, spread: 0.8f));
        var test = Synthetic.Load(ml, Synthetic.Clusters(classes: 8, perClass: 30, dims: 32, seed: 2, spread: 0.8f));
        var options = new SiameseEmbeddingOptions { Encoder = { EmbeddingDimension = 16 }, Objective = { Mining = mining, ClassesPerBatch = 8, SamplesPerClass = 8, ClassificationLossWeight = classification }, Training = { Epochs = 15, Seed = 3 } };

        double Score(ITransformer model)
        {
            var trainEmb = Synthetic.Embeddings(model.Transform(train), "Embedding");
            var testEmb = Synthetic.Embeddings(model.Transform(test), "Embedding");
            return Synthetic.PrecisionAt1(testEmb, Synthetic.Labels(test), trainEmb, Synthetic.Labels(train));
        }

        var untrained = ml.Transforms.SiameseEmbed(new SiameseEmbeddingOptions { Encoder = { EmbeddingDimension = 16 }, Objective = { Mining = mining, ClassesPerBatch = 8, SamplesPerClass = 8 }, Training = { Epochs = 1, LearningRate = 1e-9f, Seed = 3 } }).Fit(train);
        var model = ml.Transforms.SiameseEmbed(options).Fit(train);
        double before = Score(untrained), after = Score(model);
        output.WriteLine($"{mining} (classification weight {classification}): precision@1 untrained {before:F3}, trained {after:F3}");
        // A random MLP keeps part of the cluster structure (0.63 here for seed 3; chance is 1/8).
        Assert.True(before < 0.7, $"the untrained encoder should be far from perfect, got {before}");
        Assert.True(after > 0.9, $"held-out precision@1 {after} should exceed 0.9");
        Assert.True(after - before > 0.25, $"training should lift precision@1 by more than 0.25: {before} -> {after}");

        // Mean positive cosine exceeds mean negative cosine by at least the margin.
        var emb = Synthetic.Embeddings(model.Transform(test), "Embedding");
        var labels = Synthetic.Labels(test);
        double pos = 0, neg = 0; int np = 0, nn = 0;
        for (int i = 0; i < emb.Length; i++)
            for (int j = i + 1; j < emb.Length; j++)
            {
                float s = Synthetic.Cosine(emb[i], emb[j]);
                if (labels[i] == labels[j]) { pos += s; np++; } else { neg += s; nn++; }
            }
        output.WriteLine($"mean positive cosine {pos / np:F3}, mean negative {neg / nn:F3}");
        Assert.True(pos / np - neg / nn > options.Objective.Margin, $"positive {pos / np} minus negative {neg / nn} should exceed the margin {options.Objective.Margin}");
    }

}
