using MlNetSiamese.Losses;

namespace MlNetSiamese.Training;

/// <summary>A batch: the rows to embed, and, for offline triplets, which of them form the triplets.</summary>
internal sealed record SampledBatch(int[] Rows, Triplets? GivenTriplets);

/// <summary>Draws the batches of one epoch, deterministically from its <see cref="Random"/>.</summary>
internal interface IBatchSampler
{
    int BatchesPerEpoch { get; }
    SampledBatch Next(Random random);
}
