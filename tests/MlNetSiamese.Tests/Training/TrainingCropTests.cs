using Microsoft.ML;
using MlNetSiamese.Tests.Support;
using MlNetSiamese.Training;
using Xunit;

namespace MlNetSiamese.Tests.Training;

public class TrainingCropTests
{
    private const int Channels = 2, Size = 8, Crop = 5;

    private static float[] Image()
    {
        var random = new Random(3);
        return Enumerable.Range(0, Channels * Size * Size).Select(_ => (float)random.NextDouble()).ToArray();
    }

    /// <summary>Where <paramref name="crop"/> sits in <paramref name="image"/>: (y, x, mirrored), or null if nowhere.</summary>
    private static (int Y, int X, bool Mirrored)? Locate(float[] image, float[] crop)
    {
        for (int oy = 0; oy <= Size - Crop; oy++)
            for (int ox = 0; ox <= Size - Crop; ox++)
                foreach (bool mirrored in new[] { false, true })
                {
                    bool all = true;
                    for (int c = 0; c < Channels && all; c++)
                        for (int y = 0; y < Crop && all; y++)
                            for (int x = 0; x < Crop && all; x++)
                                all = crop[(c * Crop + y) * Crop + x] == image[(c * Size + oy + y) * Size + ox + (mirrored ? Crop - 1 - x : x)];
                    if (all) return (oy, ox, mirrored);
                }
        return null;
    }

    [Fact]
    public void CropsAreWindowsOfTheImageAtEveryPositionAndMirroredOnlyWithFlips()
    {
        var image = Image();
        foreach (bool flips in new[] { false, true })
        {
            var augmentation = new ImageAugmentation(Channels, Size, Size, cropPadding: 2, horizontalFlip: flips);
            var random = new Random(1);
            var seen = new HashSet<(int, int, bool)>();
            var crop = new float[Channels * Crop * Crop];
            for (int i = 0; i < 500; i++)
            {
                augmentation.CopyCropped(image, crop, Crop, random);
                var at = Locate(image, crop);
                Assert.True(at.HasValue, "a crop is not a window of the image");
                seen.Add(at.Value);
            }
            int positions = (Size - Crop + 1) * (Size - Crop + 1);
            Assert.Equal(flips ? 2 * positions : positions, seen.Count);   // every position, both ways only with flips
        }
    }

    private static SiameseEmbeddingOptions Options(int cropSize) => new()
    {
        ImageChannels = 3, ImageHeight = 16, ImageWidth = 16, Encoder = { Kind = EncoderKind.FastConvNet, Widths = [4, 8, 8], EmbeddingDimension = 4 },
        Objective = { ClassesPerBatch = 3, SamplesPerClass = 4, ClassificationLossWeight = 1, ClassificationLabelSmoothing = 0.2f },
        Training = { Epochs = 3, Seed = 2, AugmentHorizontalFlip = true, TrainingCropSize = cropSize, TrainingCropFraction = 0.67f },
    };

    [Fact]
    public void TrainingOnCropsIsDeterministicAndChangesTheWeights()
    {
        var ml = new MLContext(1);
        var data = Synthetic.Load(ml, Synthetic.Images(classes: 3, perClass: 12, channels: 3, size: 16, seed: 4));
        float[][] Fit(int cropSize) => Synthetic.Embeddings(ml.Transforms.SiameseEmbed(Options(cropSize)).Fit(data).Transform(data), "Embedding");

        var cropped = Fit(10);
        Assert.Equal(0f, Models.MaxAbsDifference(cropped, Fit(10)));            // same seed, same weights
        Assert.True(Models.MaxAbsDifference(cropped, Fit(0)) > 1e-3f);          // the crops did change training
    }

    [Theory]
    [InlineData(10, 0.67f, 2)]
    [InlineData(10, 0.5f, 2)]   // 1.5 rounds up
    [InlineData(10, 1f, 3)]
    [InlineData(10, 0f, 0)]
    [InlineData(0, 1f, 0)]      // no crop size: no crop epochs
    public void TheFirstEpochsTrainOnCrops(int cropSize, float fraction, int expected)
    {
        var o = Options(cropSize);
        o.Training.TrainingCropFraction = fraction;
        Assert.Equal(expected, o.Training.CropEpochs);
    }

    [Theory]
    [InlineData(16)]   // not smaller than the image
    [InlineData(7)]    // below the smallest size the encoders take
    [InlineData(-1)]
    public void CropSizesOutsideTheImageAreNamed(int cropSize)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext(1).Transforms.SiameseEmbed(Options(cropSize)));
        Assert.Contains("Training.TrainingCropSize", e.Message);
        Assert.Contains("16x16", e.Message);
    }
}
