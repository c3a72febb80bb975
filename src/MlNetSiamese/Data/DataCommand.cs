namespace MlNetSiamese;

/// <summary>
/// The data commands of a command-line host, ready to wire into its argument parsing:
/// <c>download fashion-mnist [--to DIR] [--base-url URL]</c>, <c>download cifar10 [--to DIR] [--url URL]</c> and
/// <c>locate [--data DIR]</c>.
/// </summary>
public static class DataCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: download fashion-mnist [--to DIR (default ./data/fashion-mnist)] [--base-url URL]\n" +
        "       download cifar10 [--to DIR (default ./data)] [--url URL]\n" +
        "       locate [--data DIR]   (prints where Fashion-MNIST is found)";

    /// <summary>Runs one data command.</summary>
    /// <param name="args">The arguments after the host's own command name.</param>
    /// <param name="output">Where progress and results go.</param>
    /// <param name="error">Where errors and usage go.</param>
    /// <param name="cancellationToken">Cancels a download (the partial file is kept for resuming).</param>
    /// <returns>0 on success, 1 on failure, 2 on a usage error.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? Option(string name)
        {
            int i = args.ToList().IndexOf(name);
            return i >= 0 && i + 1 < args.Count ? args[i + 1] : null;
        }

        try
        {
            switch (args.Count > 0 ? args[0] : "")
            {
                case "locate":
                    output.WriteLine(DefaultData.LocateFashionMnist(Option("--data")));
                    return 0;
                case "download" when args.Count > 1 && args[1] == "fashion-mnist":
                {
                    string to = Option("--to") ?? Path.Combine("data", DefaultData.FashionMnistFolderName);
                    string? baseUrl = Option("--base-url");
                    using var downloader = new DataDownloader { Log = output.WriteLine };
                    var manifest = DataManifests.FashionMnist(baseUrl == null ? null : new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/"));
                    output.WriteLine(await downloader.DownloadFashionMnistAsync(to, manifest, cancellationToken).ConfigureAwait(false));
                    return 0;
                }
                case "download" when args.Count > 1 && args[1] == "cifar10":
                {
                    string to = Option("--to") ?? "data";
                    string? url = Option("--url");
                    using var downloader = new DataDownloader { Log = output.WriteLine };
                    var item = DataManifests.Cifar10Binary(url == null ? null : new Uri(url));
                    output.WriteLine(await downloader.DownloadCifar10BinaryAsync(to, item, cancellationToken).ConfigureAwait(false));
                    return 0;
                }
                default:
                    error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UriFormatException)
        {
            error.WriteLine(e.Message);
            return 1;
        }
    }
}
