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

/// <summary>Optimiser.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (weight decay added to the gradient, L2 style).</summary>
    Adam = 0,
    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW = 1,
    /// <summary>SGD with Nesterov momentum 0.9 and L2 weight decay. Its learning rate is on another scale than Adam's: on the
    /// CIFAR-10 probe of bench/RESULTS.md 0.01 did best of 0.01, 0.05 and 0.2, and all three lost to AdamW at 2e-3.</summary>
    Sgd = 2,
}

/// <summary>Learning-rate schedule over the whole run.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout.</summary>
    Constant = 0,
    /// <summary>Cosine decay from the initial rate to zero at the last batch.</summary>
    Cosine = 1,
    /// <summary>airbench's triangle: linear from 0.2 x the rate up to the rate at 23 % of the batches, then linear down to 0.07 x at the last.</summary>
    Triangular = 2,
}

/// <summary>The head of the auxiliary classification loss.</summary>
public enum ClassificationHeadKind
{
    /// <summary>Normalised softmax: logits are 16 x the cosine between the normalised embedding and a learned direction per class.</summary>
    NormalizedSoftmax = 0,
    /// <summary>Plain softmax on the encoder's output before normalisation: a linear layer without bias, logits scaled by 1/9 (airbench's head).</summary>
    Linear = 1,
}
