namespace MlNetSiamese;

/// <summary>How triplets are chosen.</summary>
public enum TripletMining
{
    /// <summary>The reference article's offline random triplets: anchor and positive of one class, negative of another, drawn before the forward pass.</summary>
    OfflineRandom = 0,
    /// <summary>Every valid triplet inside a batch of P classes x K samples.</summary>
    BatchAll = 1,
    /// <summary>Per anchor the farthest positive and nearest negative inside a P x K batch.</summary>
    BatchHard = 2,
    /// <summary>Per (anchor, positive) the nearest negative that is still farther than the positive, inside a P x K batch.</summary>
    SemiHard = 3,
}

/// <summary>Distance between L2-normalised embeddings used by the loss.</summary>
public enum DistanceKind
{
    /// <summary>1 - cos(a, b).</summary>
    Cosine = 0,
    /// <summary>||a - b|| of normalised embeddings.</summary>
    Euclidean = 1,
}

/// <summary>Shape of the triplet loss.</summary>
public enum TripletLossKind
{
    /// <summary>max(0, d(a,p) - d(a,n) + margin).</summary>
    Margin = 0,
    /// <summary>ln(1 + exp(d(a,p) - d(a,n))).</summary>
    SoftMargin = 1,
}
