namespace MlNetSiamese;

/// <summary>
/// The default data set, Fashion-MNIST, and where it is looked for: an explicit path (the <c>--data</c> option), then
/// the <c>MLNETSIAMESE_DATA</c> environment variable, then <c>./data/fashion-mnist</c>, then
/// <c>/usr/share/datasets/fashion-mnist</c> (Debian/Ubuntu package <c>dataset-fashion-mnist</c>).
/// </summary>
/// <remarks>
/// An explicit path or the environment variable may name the folder holding the four IDX files, or a folder holding
/// a <c>fashion-mnist</c> sub-folder with them. When one of those two is given but holds no Fashion-MNIST, that is an
/// error (no silent fallback to another copy).
/// </remarks>
public static class DefaultData
{
    /// <summary>Environment variable naming the data folder.</summary>
    public const string EnvironmentVariable = "MLNETSIAMESE_DATA";

    /// <summary>Sub-folder name of Fashion-MNIST under a data folder.</summary>
    public const string FashionMnistFolderName = "fashion-mnist";

    /// <summary>Where the Debian/Ubuntu package <c>dataset-fashion-mnist</c> installs the files.</summary>
    public const string DebianPackagePath = "/usr/share/datasets/fashion-mnist";

    /// <summary>Finds Fashion-MNIST in the usual places (see <see cref="DefaultData"/>).</summary>
    /// <param name="explicitPath">The <c>--data</c> option, or null.</param>
    /// <returns>The folder holding the four IDX files.</returns>
    /// <exception cref="DirectoryNotFoundException">Not found; the message lists the places searched and how to get it.</exception>
    public static string LocateFashionMnist(string? explicitPath = null)
        => LocateFashionMnist(explicitPath, Environment.GetEnvironmentVariable(EnvironmentVariable),
            new[] { Path.Combine(Directory.GetCurrentDirectory(), "data", FashionMnistFolderName), DebianPackagePath });

    /// <summary>Finds Fashion-MNIST with every input given (for tests and hosts with their own settings).</summary>
    /// <param name="explicitPath">The <c>--data</c> option, or null.</param>
    /// <param name="environmentValue">The value of <see cref="EnvironmentVariable"/>, or null.</param>
    /// <param name="fallbackFolders">Folders tried in order when neither of the above is given.</param>
    /// <exception cref="DirectoryNotFoundException">Not found.</exception>
    public static string LocateFashionMnist(string? explicitPath, string? environmentValue, IEnumerable<string> fallbackFolders)
    {
        ArgumentNullException.ThrowIfNull(fallbackFolders);
        if (!string.IsNullOrWhiteSpace(explicitPath))
            return FindIn(explicitPath) ?? throw NotThere(explicitPath, "the --data path");
        if (!string.IsNullOrWhiteSpace(environmentValue))
            return FindIn(environmentValue) ?? throw NotThere(environmentValue, $"{EnvironmentVariable}");

        var tried = fallbackFolders.ToList();
        foreach (var folder in tried)
        {
            if (FashionMnist.IsPresentIn(folder))
                return folder;
        }
        throw new DirectoryNotFoundException(
            $"Fashion-MNIST not found. Looked in: --data (not given), {EnvironmentVariable} (not set), {string.Join(", ", tried)}. " +
            $"To get it: apt-get install dataset-fashion-mnist (Debian/Ubuntu), or download it with DataDownloader.DownloadFashionMnistAsync " +
            $"into ./data/{FashionMnistFolderName}, or point --data / {EnvironmentVariable} at a folder holding train-images-idx3-ubyte.gz " +
            "and the three other files. See data/README.md.");
    }

    /// <summary>Loads one split of the default data set from wherever <see cref="LocateFashionMnist(string?)"/> finds it.</summary>
    /// <param name="split">Train or test.</param>
    /// <param name="explicitPath">The <c>--data</c> option, or null.</param>
    public static InMemoryImageDataView LoadFashionMnist(DataSplit split = DataSplit.Train, string? explicitPath = null)
        => FashionMnist.Load(LocateFashionMnist(explicitPath), split);

    private static string? FindIn(string path)
    {
        if (FashionMnist.IsPresentIn(path))
            return path;
        string nested = Path.Combine(path, FashionMnistFolderName);
        return FashionMnist.IsPresentIn(nested) ? nested : null;
    }

    private static DirectoryNotFoundException NotThere(string path, string source)
        => new($"Fashion-MNIST not found in '{path}' (given by {source}): expected train-images-idx3-ubyte[.gz], " +
               $"train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] there or in its " +
               $"'{FashionMnistFolderName}' sub-folder.");
}
