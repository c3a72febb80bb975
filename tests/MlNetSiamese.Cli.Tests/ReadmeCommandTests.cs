using System.Text.RegularExpressions;
using MlNetSiamese.Postgres.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Cli.Tests;

/// <summary>
/// The command lines of README.md and the CLI's README, run in their order with every flag as written. Only the sizes
/// change: paths to the user's files (my-images/, query.png, runs/, ...) point at small files the test makes, and
/// train runs one epoch on at most 400 images (its --epochs, --limit and --test-limit are replaced) so the whole
/// list takes seconds. Fashion-MNIST is the default data, as for a user; CIFAR-10 is the shared copy. Lines with
/// <c>--store</c> run against a throw-away PostgreSQL with pgvector (started for them; without one they are skipped
/// with a notice, except under CI), whose connection string replaces the README's <see cref="ReadmeStore"/>.
/// </summary>
public class ReadmeCommandTests(CliFixture f, ITestOutputHelper output) : IClassFixture<CliFixture>
{
    /// <summary>The connection string the READMEs' <c>--store</c> lines use.</summary>
    public const string ReadmeStore = "\"Host=localhost;Database=shop;Username=app\"";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetSiamese.sln"))) return dir.FullName;
        throw new InvalidOperationException("MlNetSiamese.sln not found");
    }

    /// <summary>The mlnet-siamese command lines in the shell blocks of <paramref name="markdown"/>, comments cut, '&amp;&amp;' split.</summary>
    internal static List<string> CommandLines(string markdown)
    {
        var lines = new List<string>();
        foreach (Match block in Regex.Matches(markdown, "```(?:bash|sh)\\n(.*?)```", RegexOptions.Singleline))
            foreach (var line in block.Groups[1].Value.Split('\n'))
                foreach (var part in Regex.Replace(line, @"\s+#.*$", "").Split("&&"))
                    if (part.Trim().StartsWith("mlnet-siamese ")) lines.Add(part.Trim()["mlnet-siamese ".Length..]);
        return lines;
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("src/MlNetSiamese.Cli/README.md")]
    public async Task The_command_lines_run_as_written_on_small_data(string readme)
    {
        string repo = RepositoryRoot();
        string fashion = "/usr/share/datasets/fashion-mnist";
        if (!Directory.Exists(fashion) && Environment.GetEnvironmentVariable("MLNETSIAMESE_DATA") == null)
        {
            Assert.True(string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")), "CI installs Fashion-MNIST, the README's default data");
            output.WriteLine("Fashion-MNIST is not installed here; the README's commands need it as their default data.");
            return;
        }
        string work = Path.Combine(f.Root, "readme-" + Path.GetFileNameWithoutExtension(readme.Replace('/', '-')));
        Directory.CreateDirectory(work);
        string images = Path.Combine(work, "my-images");
        CopyPngs(f.Pngs, images);
        string query = Directory.GetFiles(Path.Combine(f.Pngs, "class1"))[0];
        string cifar = Path.GetFullPath(Path.Combine(repo, "..", "shared", "data", "cifar10"));
        var commands = CommandLines(File.ReadAllText(Path.Combine(repo, readme)));
        Assert.True(commands.Count >= 5, $"{readme}: only {commands.Count} command lines found");
        await using var store = commands.Any(c => c.Contains("--store ")) ? await PostgresServer.StartAsync() : null;
        RunAll(commands, readme, images, query, cifar, work, store);
    }

    private void RunAll(List<string> commands, string readme, string images, string query, string cifar, string work, PostgresServer? store)
    {
        foreach (var command in commands)
        {
            if (command.StartsWith("data download")) continue;   // the network is not reachable here; DataDownloaderTests cover downloads
            string line = command
                .Replace("../shared/data/cifar10", cifar).Replace("my-images/", images + "/").Replace("query.png", query)
                .Replace(" a.png", " " + Directory.GetFiles(Path.Combine(f.Pngs, "class0"))[0]).Replace(" b.png", " " + query)
                .Replace("neighbours.png", Path.Combine(work, "neighbours.png"))
                .Replace("runs/", work + "/runs/").Replace("emb/", work + "/emb/");
            if (line.StartsWith("train "))
            {
                line = Regex.Replace(line, @"--(epochs|limit|test-limit) \d+", "");
                line += " --epochs 1 --limit 400 --test-limit 100";
            }
            if (line.Contains(cifar) && !Directory.Exists(cifar))
            {
                output.WriteLine($"skipped (no shared CIFAR-10 copy here): {command}");
                continue;
            }
            if (line.Contains("--store "))
            {
                Assert.True(line.Contains(ReadmeStore), $"{readme}: '{command}' should use the store {ReadmeStore}, which this test replaces by its own server's");
                if (store!.Missing != null)
                {
                    Assert.False(PostgresServer.IsCi, $"CI is set but the test PostgreSQL cannot run: {store.Missing}");
                    output.WriteLine($"skipped ({store.Missing}): {command}");
                    continue;
                }
                line = line.Replace(ReadmeStore, store.ConnectionString);
            }
            output.WriteLine("mlnet-siamese " + line);
            var (exit, text) = CliTests.Run(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.True(exit == 0, $"{readme}: 'mlnet-siamese {command}' failed ({exit}):\n{text}");
        }
    }

    private static void CopyPngs(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*.png", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
