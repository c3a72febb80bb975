using MlNetSiamese.Cli.Commands;
using MlNetSiamese.Postgres;
using MlNetSiamese.Postgres.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Cli.Tests;

/// <summary>
/// <c>index --store</c> and <c>search --store</c> against a throw-away PostgreSQL with pgvector: the tiny model of
/// <see cref="CliFixture"/> indexes 24 generated PNGs twice (the second run embeds and writes nothing), resumes after a
/// new image, and finds each stored image as its own nearest neighbour; another model's table and a stopped server
/// are refused with messages naming the store.
/// </summary>
public sealed class StoreCommandTests(CliFixture f, PostgresFixture pg, ITestOutputHelper output) : IClassFixture<CliFixture>, IClassFixture<PostgresFixture>
{
    private string Store => pg.Server.ConnectionString;
    private string ModelPath => Path.Combine(f.ModelDir, "model.zip");

    private (int Exit, string Output) Run(params string[] args)
    {
        var (exit, text) = CliTests.Run(args);
        output.WriteLine($"mlnet-siamese {string.Join(' ', args)}\n{text}");
        return (exit, text);
    }

    private Task<PostgresEmbeddingStore> OpenAsync(string table) => PostgresEmbeddingStore.OpenAsync(new PostgresStoreOptions
    {
        ConnectionString = Store, Table = table, Dimension = 16, ModelId = ModelFiles.Sha256(ModelPath),
    }, create: false);

    [Fact]
    public async Task Index_twice_then_search_the_store()
    {
        if (!pg.Server.Require(output)) return;
        Assert.Equal(0, f.TrainExit);
        string images = Path.Combine(f.Root, "store-images");
        foreach (var file in Directory.GetFiles(f.Pngs, "*.png", SearchOption.AllDirectories))
        {
            string target = Path.Combine(images, Path.GetRelativePath(f.Pngs, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
        string[] index = ["index", "--model", f.ModelDir, "--input", images, "--store", Store, "--table", "cli_items"];

        var first = Run(index);
        Assert.True(first.Exit == 0, first.Output);
        Assert.Contains("24 images under", first.Output);
        Assert.Contains("indexed 24 images (24 rows written); the table holds 24 items", first.Output);
        Assert.Contains("HNSW index (cosine): ready", first.Output);

        var second = Run(index);
        Assert.True(second.Exit == 0, second.Output);
        Assert.Contains("24 stored already, 0 to embed", second.Output);
        Assert.Contains("the table holds 24 items", second.Output);

        File.Copy(Path.Combine(images, "class2", "img0.png"), Path.Combine(images, "class2", "extra.png"));
        var third = Run(index);
        Assert.True(third.Exit == 0, third.Output);
        Assert.Contains("24 stored already, 1 to embed", third.Output);
        Assert.Contains("the table holds 25 items", third.Output);

        await using (var store = await OpenAsync("cli_items"))
        {
            Assert.Equal(25, await store.CountAsync());
            var item = Assert.Single(await store.GetAsync(["class1/img3.png"]));
            Assert.Equal("class1", item.Label);
            Assert.Contains("\"path\": \"class1/img3.png\"", item.Metadata);
            // extra.png is a copy of img0.png: the same embedding, so img0 is its nearest neighbour (ties aside).
            var twin = await store.SearchByIdAsync("class2/extra.png", 3, exact: true);
            Assert.DoesNotContain(twin, m => m.Id == "class2/extra.png");
            var img0 = Assert.Single(twin, m => m.Id == "class2/img0.png");
            Assert.True(img0.Similarity >= twin[0].Similarity - 1e-6f && img0.Similarity > 0.99999f, $"img0: {img0.Similarity}, first: {twin[0].Similarity}");
        }

        // A stored image as the query: found with similarity 1, by HNSW and by exact scan; the exact scan ranks as the
        // in-process exact index of 'search --gallery' over the same folder does (labels and similarities rank by rank).
        string query = Path.Combine(images, "class1", "img3.png");
        var gallery = Rows(Run(["search", "--model", f.ModelDir, "--gallery", images, "--query", query, "-k", "5"]));
        foreach (var mode in new[] { Array.Empty<string>(), ["--exact"] })
        {
            var search = Run(["search", "--model", f.ModelDir, "--store", Store, "--table", "cli_items", "--query", query, "-k", "5", .. mode]);
            Assert.True(search.Exit == 0, search.Output);
            var rows = Rows(search);
            Assert.Equal(5, rows.Count);
            Assert.Contains(rows, r => r.Item == "class1/img3.png" && r.Similarity == "1.0000");
            if (mode.Length == 0) continue;
            Assert.Equal(gallery.Select(r => (r.Label, r.Similarity)), rows.Select(r => (r.Label, r.Similarity)));
        }
    }

    /// <summary>The rows of a plain neighbour table: label, similarity (4 decimals) and item of each rank.</summary>
    private static List<(string Label, string Similarity, string Item)> Rows((int Exit, string Output) run)
    {
        Assert.True(run.Exit == 0, run.Output);
        return run.Output.Split('\n').Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .Where(c => c.Length == 7 && int.TryParse(c[2], out _)).Select(c => (c[3], c[4], c[5])).ToList();
    }

    [Fact]
    public async Task Another_models_table_is_refused_naming_the_store_and_both_ids()
    {
        if (!pg.Server.Require(output)) return;
        Assert.Equal(0, f.TrainExit);
        string other = new('c', 64);
        await using (await PostgresEmbeddingStore.OpenAsync(new PostgresStoreOptions { ConnectionString = Store, Table = "cli_other", Dimension = 16, ModelId = other })) { }
        string query = Directory.GetFiles(Path.Combine(f.Pngs, "class0"))[0];
        var search = Run("search", "--model", f.ModelDir, "--store", Store + ";Password=s3cret-word", "--table", "cli_other", "--query", query);
        Assert.Equal(Program.Failed, search.Exit);
        Assert.Contains($"127.0.0.1:{pg.Server.Port}/postgres/cli_other", search.Output);
        Assert.Contains(other, search.Output);
        Assert.Contains(ModelFiles.Sha256(ModelPath).ToLowerInvariant(), search.Output);
        Assert.DoesNotContain("s3cret", search.Output);

        var index = Run("index", "--model", f.ModelDir, "--input", Path.Combine(f.Pngs, "class0"), "--store", Store, "--table", "cli_other");
        Assert.Equal(Program.Failed, index.Exit);
        Assert.Contains(other, index.Output);
    }

    [Fact]
    public void A_stopped_server_and_bad_options_are_clear_errors()
    {
        Assert.Equal(0, f.TrainExit);
        int port = PostgresServer.FreePort();
        string query = Directory.GetFiles(Path.Combine(f.Pngs, "class0"))[0];
        var search = Run("search", "--model", f.ModelDir, "--store", $"Host=127.0.0.1;Port={port};Database=shop;Timeout=3", "--query", query);
        Assert.Equal(Program.Failed, search.Exit);
        Assert.Contains($"127.0.0.1:{port}/shop/siamese_embeddings", search.Output);
        Assert.Contains("pg_isready", search.Output);

        var table = Run("index", "--model", f.ModelDir, "--input", f.Pngs, "--store", "Host=127.0.0.1", "--table", "Bad-Name");
        Assert.Equal(Program.BadUsage, table.Exit);
        Assert.Contains("--table 'Bad-Name'", table.Output);
        var mixed = Run("search", "--model", f.ModelDir, "--store", "Host=127.0.0.1", "--gallery", f.Pngs, "--query", query);
        Assert.Equal(Program.BadUsage, mixed.Exit);
        Assert.Contains("--gallery does not go with it", mixed.Output);
    }

    [Fact]
    public void Labels_are_class_folders()
    {
        Assert.Equal("shoes", IndexCommand.Label("shoes/a.png"));
        Assert.Equal("red", IndexCommand.Label("shoes/red/a.png"));
        Assert.Null(IndexCommand.Label("a.png"));
    }
}
