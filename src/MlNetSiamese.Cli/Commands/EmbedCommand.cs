using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.ML;

namespace MlNetSiamese.Cli.Commands;

/// <summary><c>embed</c>: images or a data set -> embeddings CSV and a binary index file (CosineIndex format).</summary>
public static class EmbedCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "model.zip (or its folder) written by train.", Required = true };
        var input = new Option<string?>("--input", "-i") { Description = "An image file, a folder of images, or a data set folder (idx / CIFAR-10 binary). Default: Fashion-MNIST." };
        var split = new Option<DataSplit>("--split") { Description = "Data sets: Train or Test.", DefaultValueFactory = _ => DataSplit.Test };
        var limit = new Option<int?>("--limit") { Description = "Embed at most N images: the first N of a data set, a seeded sample across classes of an image folder. Default: all." };
        var output = new Option<string>("--out", "-o") { Description = "CSV file to write; the binary index is written next to it with the extension .index.", DefaultValueFactory = _ => "embeddings.csv" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "Seed of the split of a single class-folder tree and of --limit's sample (the library's default, 0, as in train)." };
        var command = new Command("embed", "Compute embeddings: CSV (id,label,source,e0..), a binary .index file (CosineIndex.Load reads it) and .index.json naming the model; 'search --index' reuses them.")
        {
            model, input, split, limit, output, seed,
        };
        command.SetAction(r => context.Guard("embed", () =>
        {
            var ml = new MLContext(r.GetValue(seed));
            string modelPath = ModelFiles.Resolve(r.GetValue(model)!);
            var (_, embedder) = ModelFiles.Load(ml, modelPath);
            var images = ImageInputs.EmbedPath(ml, embedder, r.GetValue(input), r.GetValue(split), r.GetValue(limit), r.GetValue(seed), "--input");
            string csv = Path.GetFullPath(r.GetValue(output)!);
            Directory.CreateDirectory(Path.GetDirectoryName(csv)!);
            string indexPath = Path.ChangeExtension(csv, ".index");
            WriteCsv(csv, images);
            GalleryIndex.Save(indexPath, images, modelPath);
            context.Output.WriteLine($"embedded {images.Count} images (dimension {images.Dimension})");
            context.Output.WriteLine($"csv: {csv}");
            context.Output.WriteLine($"index: {indexPath}");
            return Program.Success;
        }));
        return command;
    }

    public static void WriteCsv(string path, EmbeddedImages images)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        w.WriteLine("id,label,source," + string.Join(",", Enumerable.Range(0, images.Dimension).Select(i => $"e{i}")));
        for (int i = 0; i < images.Count; i++)
        {
            w.Write(i.ToString(CultureInfo.InvariantCulture)); w.Write(',');
            w.Write(Csv(images.Labels[i])); w.Write(','); w.Write(Csv(images.Names[i]));
            foreach (float v in images.Vector(i)) { w.Write(','); w.Write(v.ToString("R", CultureInfo.InvariantCulture)); }
            w.WriteLine();
        }
    }

    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
