namespace MlNetSiamese;

/// <summary>Official download addresses and published checksums of the data sets.</summary>
/// <remarks>
/// The Fashion-MNIST MD5s are those of the official <c>.gz</c> files as published in the Fashion-MNIST README
/// (zalandoresearch/fashion-mnist). They cannot verify the Debian package <c>dataset-fashion-mnist</c>, whose
/// <c>.gz</c> files were recompressed (same decompressed content, different compressed bytes). The CIFAR-10 MD5 is
/// that of <c>cifar-10-binary.tar.gz</c> published on the CIFAR-10 page.
/// </remarks>
public static class DataManifests
{
    /// <summary>Official base address of the Fashion-MNIST files.</summary>
    public static Uri FashionMnistBaseUrl { get; } = new("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    /// <summary>Official address of the CIFAR-10 binary release.</summary>
    public static Uri Cifar10BinaryUrl { get; } = new("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");

    /// <summary>Published MD5 of <c>cifar-10-binary.tar.gz</c>.</summary>
    public const string Cifar10BinaryMd5 = "c32a1d4ab5d03f1284b67883e8d87530";

    /// <summary>The four Fashion-MNIST files with their published MD5s.</summary>
    /// <param name="baseUrl">Base address (a mirror, or a local server in tests); null for the official one.</param>
    public static IReadOnlyList<DownloadItem> FashionMnist(Uri? baseUrl = null)
    {
        baseUrl ??= FashionMnistBaseUrl;
        return new[]
        {
            new DownloadItem("train-images-idx3-ubyte.gz", new Uri(baseUrl, "train-images-idx3-ubyte.gz"), Md5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
            new DownloadItem("train-labels-idx1-ubyte.gz", new Uri(baseUrl, "train-labels-idx1-ubyte.gz"), Md5: "25c81989df183df01b3e8a0aad5dffbe"),
            new DownloadItem("t10k-images-idx3-ubyte.gz", new Uri(baseUrl, "t10k-images-idx3-ubyte.gz"), Md5: "bef4ecab320f06d8554ea6380940ec79"),
            new DownloadItem("t10k-labels-idx1-ubyte.gz", new Uri(baseUrl, "t10k-labels-idx1-ubyte.gz"), Md5: "bb300cfdad3c16e7a12a480ee83cd310"),
        };
    }

    /// <summary>The CIFAR-10 binary archive with its published MD5.</summary>
    /// <param name="url">Address of the archive; null for the official one.</param>
    public static DownloadItem Cifar10Binary(Uri? url = null)
        => new("cifar-10-binary.tar.gz", url ?? Cifar10BinaryUrl, Md5: Cifar10BinaryMd5);
}
