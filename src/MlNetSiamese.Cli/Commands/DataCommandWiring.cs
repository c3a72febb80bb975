using System.CommandLine;

namespace MlNetSiamese.Cli.Commands;

/// <summary><c>data download fashion-mnist|cifar10 [--to DIR] [--url URL]</c> and <c>data locate [--data DIR]</c>, on the library's <see cref="DataDownloader"/> and <see cref="DefaultData"/>.</summary>
public static class DataCommandWiring
{
    public static Command Create(CliContext context)
    {
        var what = new Argument<string>("dataset") { Description = "fashion-mnist or cifar10." };
        what.AcceptOnlyFromAmong("fashion-mnist", "cifar10");
        var to = new Option<string?>("--to") { Description = "Target folder (default ./data/fashion-mnist or ./data)." };
        var url = new Option<string?>("--url") { Description = "Download from this base URL (fashion-mnist) or archive URL (cifar10). Default: the official address." };
        var download = new Command("download", "Download a data set (checksums verified).") { what, to, url };
        download.SetAction(r => context.Guard("data download", () =>
        {
            string? address = r.GetValue(url);
            using var downloader = new DataDownloader { Log = context.Output.WriteLine };
            try
            {
                string folder = r.GetValue(what) == "cifar10"
                    ? downloader.DownloadCifar10BinaryAsync(r.GetValue(to) ?? "data", DataManifests.Cifar10Binary(address == null ? null : new Uri(address)), context.CancellationToken).GetAwaiter().GetResult()
                    : downloader.DownloadFashionMnistAsync(r.GetValue(to) ?? Path.Combine("data", DefaultData.FashionMnistFolderName),
                        DataManifests.FashionMnist(address == null ? null : new Uri(address.EndsWith('/') ? address : address + "/")), context.CancellationToken).GetAwaiter().GetResult();
                context.Output.WriteLine(folder);
                return Program.Success;
            }
            catch (UriFormatException e) { throw new UsageException($"--url: {e.Message}"); }
            catch (IOException e) { throw new RunException(e.Message, e); }
        }));
        var dataOption = new Option<string?>("--data") { Description = "Folder to look in first. Default: MLNETSIAMESE_DATA, then ./data/fashion-mnist, then /usr/share/datasets/fashion-mnist." };
        var locate = new Command("locate", "Print where Fashion-MNIST is found.") { dataOption };
        locate.SetAction(r => context.Guard("data locate", () =>
        {
            try { context.Output.WriteLine(DefaultData.LocateFashionMnist(r.GetValue(dataOption))); }
            catch (DirectoryNotFoundException e) { throw new RunException(e.Message); }
            return Program.Success;
        }));
        return new Command("data", "Download or locate data sets.") { download, locate };
    }
}
