using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using MlNetSiamese.Cli.Output;
using MlNetSiamese.Plots;
using MlNetSiamese.Postgres;

namespace MlNetSiamese.Cli.Commands;

/// <summary><c>search</c>: index a gallery, query it with image files -> top-k table and optional neighbour grid PNG.</summary>
public static class SearchCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "model.zip (or its folder) written by train.", Required = true };
        var gallery = new Option<string?>("--gallery", "-g") { Description = "Gallery: a folder of images, or a data set folder (idx / CIFAR-10 binary). Default: Fashion-MNIST." };
        var split = new Option<DataSplit>("--split") { Description = "Data-set gallery: Train or Test.", DefaultValueFactory = _ => DataSplit.Test };
        var limit = new Option<int?>("--limit") { Description = "Index at most N gallery images: the first N of a data set, a seeded sample across classes of an image folder. Default: all." };
        var query = new Option<string>("--query", "-q") { Description = "Query image file or folder of images.", Required = true };
        var k = new Option<int>("--top", "-k") { Description = "Neighbours per query.", DefaultValueFactory = _ => 5 };
        var grid = new Option<string?>("--grid") { Description = "Write a neighbour grid PNG here. Default: none." };
        var saveIndex = new Option<string?>("--save-index") { Description = "Also save the gallery index here (with FILE.json naming the model), for --index. Default: none." };
        var indexFile = new Option<string?>("--index") { Description = "Search a gallery saved by 'embed' (its .index) or --save-index instead of embedding --gallery again; refused for another model. Default: none (embed --gallery)." };
        var store = VectorStore.StoreOption("Search a PostgreSQL + pgvector store filled by 'index' (its connection string) instead of a gallery; refused for another model's table. Default: none.");
        var table = VectorStore.TableOption();
        var exact = new Option<bool>("--exact") { Description = "With --store: rank every stored item (a full scan) instead of the HNSW index's approximate top-k. Default: off." };
        var efSearch = new Option<int?>("--ef-search") { Description = $"With --store: HNSW candidates per search (pgvector's hnsw.ef_search; more is slower and closer to exact). Default: {PostgresStoreOptions.DefaultEfSearch}." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "Seed of the split of a single class-folder tree and of --limit's sample (the library's default, 0, as in train)." };
        var command = new Command("search", "Find the most similar gallery images for each query image.")
        {
            model, gallery, split, limit, query, k, grid, saveIndex, indexFile, store, table, exact, efSearch, seed,
        };
        command.SetAction(r => context.Guard("search", () =>
        {
            int top = r.GetValue(k);
            if (top < 1) throw new UsageException($"--top must be at least 1; got {top}.");
            var ml = new MLContext(r.GetValue(seed));
            string modelPath = ModelFiles.Resolve(r.GetValue(model)!);
            var (_, embedder) = ModelFiles.Load(ml, modelPath);
            var queryFiles = ImageInputs.ListFiles(r.GetValue(query)!, "--query");
            var q = ImageInputs.EmbedFiles(ml, embedder, queryFiles, warn: context.Error.WriteLine);
            if (r.GetValue(store) is { } connection)
            {
                foreach (var (other, name) in new[] { (r.GetValue(gallery), "--gallery"), (r.GetValue(indexFile), "--index"), (r.GetValue(saveIndex), "--save-index"), (r.GetValue(grid), "--grid") })
                    if (other != null) throw new UsageException($"--store searches the store's items; {name} does not go with it (the store holds no images to draw or save).");
                SearchStore(context, connection, r.GetValue(table)!, modelPath, q, top, r.GetValue(exact), r.GetValue(efSearch));
                return Program.Success;
            }
            if (r.GetValue(exact) || r.GetValue(efSearch) != null) throw new UsageException("--exact and --ef-search apply to --store searches (a gallery or --index is always searched exactly).");
            CosineIndex index;
            string[] labels, sources;
            EmbeddedImages? g = null;
            if (r.GetValue(indexFile) is { } saved)
            {
                if (r.GetValue(gallery) != null) throw new UsageException("--index and --gallery are two galleries; give one.");
                (index, labels, sources) = GalleryIndex.Load(saved, modelPath);
            }
            else
            {
                g = ImageInputs.EmbedPath(ml, embedder, r.GetValue(gallery), r.GetValue(split), r.GetValue(limit), r.GetValue(seed), "--gallery");
                index = new CosineIndex(g.Dimension);
                index.Add(Enumerable.Range(0, g.Count).Select(i => (long)i).ToArray(), g.Embeddings);
                (labels, sources) = (g.Labels.ToArray(), g.Names.ToArray());
                if (r.GetValue(saveIndex) is { } ip) GalleryIndex.Save(ip, g, modelPath);
            }
            var results = index.SearchBatch(q.Embeddings, Math.Min(top, index.Count));
            var rows = new List<string[]>();
            for (int i = 0; i < q.Count; i++)
                for (int j = 0; j < results[i].Length; j++)
                {
                    var n = results[i][j];
                    rows.Add([Path.GetFileName(q.Names[i]), (j + 1).ToString(CultureInfo.InvariantCulture), labels[(int)n.Id],
                        n.Score.ToString("F4", CultureInfo.InvariantCulture), sources[(int)n.Id]]);
                }
            new Ui(context).Table($"Top {top} neighbours", ["Query", "Rank", "Label", "Similarity", "Gallery item"], rows);
            if (r.GetValue(grid) is { } gridPath)
            {
                if (g == null) throw new UsageException("--grid draws the gallery's images, which --index does not hold; search with --gallery to draw a grid.");
                var enc = embedder.Encoder;
                NeighborGrid.Save(new ImageSet(q.Pixels, q.Labels, enc.Channels, enc.Width, enc.Height),
                    new ImageSet(g.Pixels, g.Labels, enc.Channels, enc.Width, enc.Height),
                    results.Select(rr => (IReadOnlyList<int>)rr.Select(n => (int)n.Id).ToList()).ToList(), gridPath,
                    scores: results.Select(rr => (IReadOnlyList<float>)rr.Select(n => n.Score).ToList()).ToList());
                context.Output.WriteLine($"grid: {Path.GetFullPath(gridPath)}");
            }
            return Program.Success;
        }));
        return command;
    }

    private static void SearchStore(CliContext context, string connection, string table, string modelPath, EmbeddedImages q, int top, bool exact, int? efSearch)
    {
        using var lease = VectorStore.Open(connection, table, modelPath, q.Dimension, create: false, efSearch, context.CancellationToken);
        var store = lease.Store;
        if (!exact && top > PostgresEmbeddingStore.MaxApproximateK)
            throw new UsageException($"--top {top}: an HNSW search returns at most {PostgresEmbeddingStore.MaxApproximateK} items; ask for fewer or add --exact.");
        var rows = new List<string[]>();
        for (int i = 0; i < q.Count; i++)
        {
            var query = q.Vector(i).ToArray();
            var matches = VectorStore.Call(() => store.SearchAsync(query, top, exact, context.CancellationToken));
            rows.AddRange(matches.Select((m, j) => new[] { Path.GetFileName(q.Names[i]), (j + 1).ToString(CultureInfo.InvariantCulture), m.Label ?? "",
                m.Similarity.ToString("F4", CultureInfo.InvariantCulture), m.Id }));
        }
        new Ui(context).Table($"Top {top} neighbours in {store.Name}{(exact ? " (exact)" : "")}", ["Query", "Rank", "Label", "Similarity", "Stored item"], rows);
    }
}
