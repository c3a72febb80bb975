namespace MlNetSiamese.Training;

/// <summary>
/// Which epoch's weights training keeps, and when it stops: with a validation split, the epoch of the highest
/// validation score (its weights snapshotted) and a stop after <c>patience</c> epochs without a better one; without a
/// split, the last epoch.
/// </summary>
internal sealed class BestEpoch(bool validated, int patience)
{
    public double Score { get; private set; } = double.NegativeInfinity;
    public int EpochsSinceBest { get; private set; }
    /// <summary>The best epoch's weights (validated runs only).</summary>
    public byte[]? Weights { get; private set; }

    /// <summary>Whether training should stop now.</summary>
    public bool ShouldStop => patience > 0 && EpochsSinceBest >= patience;

    /// <summary>Records an epoch's score; <paramref name="weights"/> is called for a new best. Returns whether it is the best so far.</summary>
    public bool Record(double score, Func<byte[]> weights)
    {
        if (validated && !(score > Score))
        {
            EpochsSinceBest++;
            return false;
        }
        Score = score;
        EpochsSinceBest = 0;
        if (validated) Weights = weights();
        return true;
    }

    /// <summary>The state a checkpoint carries.</summary>
    public void Restore(double score, int sinceBest, byte[]? weights) => (Score, EpochsSinceBest, Weights) = (score, sinceBest, weights);
}
