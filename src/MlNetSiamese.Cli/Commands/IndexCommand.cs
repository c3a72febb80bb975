using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using MlNetSiamese.Cli.Output;
using MlNetSiamese.Postgres;

namespace MlNetSiamese.Cli.Commands;

/// <summary>
/// <c>index</c>: embeds a folder of images into a PostgreSQL + pgvector store. Ids are the images' paths relative to
/// --input, labels their class folders; images already stored are not embedded again, so a re-run adds no duplicates
/// and an interrupted run resumes. Ends by building the HNSW index (cosine) unless told not to.
/// </summary>
public static class IndexCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "model.zip (or its folder) written by train.", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "A folder of images (any depth; class sub-folders become labels) or one image file.", Required = true };
        var store = VectorStore.StoreOption("PostgreSQL connection string of the store, e.g. \"Host=localhost;Database=shop;Username=app;Password=...\". The server needs pgvector.");
        store.Required = true;
        var table = VectorStore.TableOption();
        var batch = new Option<int>("--batch-size") { Description = "Images embedded and written per batch.", DefaultValueFactory = _ => 256 };
        var noHnsw = new Option<bool>("--no-hnsw") { Description = "Do not build the HNSW index at the end (searches are then exact scans; build it with a later run). Default: off (the index is built)." };
        var command = new Command("index", "Embed a folder of images into a PostgreSQL + pgvector store (idempotent: stored images are skipped), then build its HNSW index; 'search --store' queries it.")
        {
            model, input, store, table, batch, noHnsw,
        };
        command.SetAction(r => context.Guard("index", () =>
        {
            int batchSize = r.GetValue(batch);
            if (batchSize < 1) throw new UsageException($"--batch-size must be at least 1; got {batchSize}.");
            var ct = context.CancellationToken;
            var ml = new MLContext(0);
            string modelPath = ModelFiles.Resolve(r.GetValue(model)!);
            var (_, embedder) = ModelFiles.Load(ml, modelPath);
            string inputPath = r.GetValue(input)!;
            var files = ImageInputs.ListFiles(inputPath, "--input");
            string root = Directory.Exists(inputPath) ? Path.GetFullPath(inputPath) : Path.GetDirectoryName(Path.GetFullPath(inputPath))!;
            var ids = files.Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/')).ToList();

            using var lease = VectorStore.Open(r.GetValue(store)!, r.GetValue(table)!, modelPath, embedder.EmbeddingDimension, create: true, null, ct);
            var db = lease.Store;
            var stored = VectorStore.Call(() => db.ExistingIdsAsync(ids, ct));
            var todo = Enumerable.Range(0, files.Count).Where(i => !stored.Contains(ids[i])).ToList();
            context.Output.WriteLine($"store: {db.Name}");
            context.Output.WriteLine($"{files.Count} images under {root}: {stored.Count} stored already, {todo.Count} to embed");
            int written = 0;
            if (todo.Count > 0)
                BatchProgress.Run(context, "indexing", todo.Count, report =>
                {
                    for (int from = 0; from < todo.Count; from += batchSize)
                    {
                        ct.ThrowIfCancellationRequested();
                        var part = todo.Skip(from).Take(batchSize).ToList();
                        var embedded = ImageInputs.EmbedFiles(ml, embedder, part.Select(i => files[i]).ToList(), root,
                            warn: from == 0 ? context.Error.WriteLine : null);
                        var items = part.Select((i, j) => new StoredEmbedding(ids[i], embedded.Vector(j).ToArray(), Label(ids[i]), Metadata(ids[i], files[i])))
                            .ToList();
                        written += VectorStore.Call(() => db.UpsertAsync(items, ct));
                        report(from + part.Count, $"({written} rows written)");
                    }
                });
            if (!r.GetValue(noHnsw))
            {
                VectorStore.Call(() => db.CreateIndexAsync(ct));
                context.Output.WriteLine($"HNSW index (cosine): ready");
            }
            long count = VectorStore.Call(() => db.CountAsync(ct));
            context.Output.WriteLine($"indexed {todo.Count} images ({written} rows written); the table holds {count.ToString(CultureInfo.InvariantCulture)} items");
            return Program.Success;
        }));
        return command;
    }

    /// <summary>The class folder: the image's parent folder under --input, or none for an image directly in it.</summary>
    public static string? Label(string id) => id.Contains('/') ? Path.GetFileName(Path.GetDirectoryName(id)) : null;

    private static string Metadata(string id, string file) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["path"] = id, ["bytes"] = new FileInfo(file).Length });
}
