using Microsoft.ML;
using MlNetSiamese.Tests.Support;
using MlNetSiamese.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Training;

public class WeightAverageTests
{
    private static float[] Values(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();

    [Fact]
    public void TheAverageMovesTowardTheTrainedWeightsByTheDecayOfEachStep()
    {
        using var layer = nn.Linear(3, 2);
        using var average = new WeightAverage(layer, decay: 0.9);
        var start = Values(layer.weight!);
        using (no_grad()) layer.weight!.add_(1f);                        // "training" moves every weight by 1
        const long step = 1000;
        double d = average.DecayAt(step);
        Assert.Equal(0.9, d);                                            // late steps use the decay itself
        Assert.Equal(2.0 / 11.0, average.DecayAt(1), 12);                // early ones less: (1 + step) / (10 + step)
        average.Update(step);
        average.Swap();                                                  // the layer now holds the average
        var averaged = Values(layer.weight!);
        for (int i = 0; i < start.Length; i++) Assert.Equal(start[i] + (float)(1 - d), averaged[i], 5);
        average.Swap();                                                  // and the trained weights again
        var trained = Values(layer.weight!);
        for (int i = 0; i < start.Length; i++) Assert.Equal(start[i] + 1f, trained[i], 6);
    }

    private static SiameseEmbeddingOptions Options(float averaging, float validation) => new()
    {
        ImageChannels = 1, ImageHeight = 8, ImageWidth = 8, EncoderWidths = [8, 16], EmbeddingDimension = 8,
        Epochs = 3, Seed = 4, ClassesPerBatch = 4, SamplesPerClass = 4, WeightAveragingDecay = averaging, ValidationFraction = validation,
    };

    [Theory]
    [InlineData(0f)]      // the model is the last epoch's average
    [InlineData(0.2f)]    // the model is the best epoch's average
    public void TrainingWithAveragingIsDeterministicAndGivesOtherWeights(float validation)
    {
        var ml = new MLContext(1);
        var data = Synthetic.Load(ml, Synthetic.Images(classes: 4, perClass: 16, channels: 1, size: 8, seed: 2));
        float[][] Fit(float averaging) => Synthetic.Embeddings(
            ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.SiameseEmbed(Options(averaging, validation))).Fit(data).Transform(data), "Embedding");

        var averaged = Fit(0.95f);
        Assert.Equal(0f, Models.MaxAbsDifference(averaged, Fit(0.95f)));   // same seed, same weights
        Assert.True(Models.MaxAbsDifference(averaged, Fit(0f)) > 1e-3f);  // the model is the average, not the trained weights
    }
}
