using System.CommandLine;

namespace MlNetSiamese.Cli.Commands;

/// <summary><c>data download fashion-mnist|cifar10 [--to DIR]</c> and <c>data locate [--data DIR]</c>, wired to the library's DataCommand.</summary>
public static class DataCommandWiring
{
    public static Command Create(CliContext context)
    {
        var what = new Argument<string>("dataset") { Description = "fashion-mnist or cifar10." };
        what.AcceptOnlyFromAmong("fashion-mnist", "cifar10");
        var to = new Option<string?>("--to") { Description = "Target folder (default ./data/fashion-mnist or ./data)." };
        var url = new Option<string?>("--url") { Description = "Download from this base URL (fashion-mnist) or archive URL (cifar10)." };
        var download = new Command("download", "Download a data set (checksums verified).") { what, to, url };
        download.SetAction(r => context.Guard("data download", () =>
        {
            var args = new List<string> { "download", r.GetValue(what)! };
            if (r.GetValue(to) is { } t) args.AddRange(["--to", t]);
            if (r.GetValue(url) is { } u) args.AddRange([r.GetValue(what) == "cifar10" ? "--url" : "--base-url", u]);
            return DataCommand.RunAsync(args, context.Output, context.Error, context.CancellationToken).GetAwaiter().GetResult();
        }));
        var dataOption = new Option<string?>("--data") { Description = "Folder to look in first." };
        var locate = new Command("locate", "Print where Fashion-MNIST is found.") { dataOption };
        locate.SetAction(r => context.Guard("data locate", () =>
        {
            var args = new List<string> { "locate" };
            if (r.GetValue(dataOption) is { } d) args.AddRange(["--data", d]);
            try { return DataCommand.RunAsync(args, context.Output, context.Error, context.CancellationToken).GetAwaiter().GetResult(); }
            catch (DirectoryNotFoundException e) { throw new RunException(e.Message); }
        }));
        return new Command("data", "Download or locate data sets.") { download, locate };
    }
}
