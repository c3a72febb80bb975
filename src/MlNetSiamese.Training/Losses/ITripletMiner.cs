namespace MlNetSiamese.Losses;

/// <summary>
/// Chooses which triplets of a batch the loss sees, from the batch's distance matrix (row-major [B, B], detached)
/// and its labels. Any miner combines with any loss and any distance.
/// </summary>
internal interface ITripletMiner
{
    Triplets Mine(ReadOnlySpan<float> distances, IReadOnlyList<int> labels);
}
