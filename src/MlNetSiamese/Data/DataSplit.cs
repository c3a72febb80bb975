namespace MlNetSiamese;

/// <summary>Which half of a data set with an official train/test split to read.</summary>
public enum DataSplit
{
    /// <summary>The training split (Fashion-MNIST: 60,000 images; CIFAR-10: 50,000 images).</summary>
    Train,

    /// <summary>The test split (Fashion-MNIST and CIFAR-10: 10,000 images each).</summary>
    Test,
}
