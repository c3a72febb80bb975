using Microsoft.ML;
using System.Text.Json;
using Xunit;

namespace MlNetSiamese.Cli.Tests;

/// <summary>Temp folder with tiny idx + PNG data and one model trained by the CLI (shared by the tests).</summary>
public sealed class CliFixture : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "mlnet-siamese-cli-" + Guid.NewGuid().ToString("N")[..8]);
    public string Idx => Path.Combine(Root, "idx");
    public string Pngs => Path.Combine(Root, "pngs");
    public string ModelDir => Path.Combine(Root, "model");
    public int TrainExit { get; }
    public string TrainOutput { get; }

    public static readonly string[] Small = ["--epochs", "1", "--widths", "8,16", "--embedding-dimension", "16", "--samples-per-class", "4"];

    public CliFixture()
    {
        TinyData.WriteIdx(Idx);
        TinyData.WritePngFolder(Pngs);
        (TrainExit, TrainOutput) = CliTests.Run(["train", "--data", Idx, "--out", ModelDir, .. Small]);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

public sealed class CliTests(CliFixture f) : IClassFixture<CliFixture>
{
    public static (int Exit, string Output) Run(string[] args, CancellationToken ct = default, Action<TrainingProgress>? onProgress = null)
    {
        var w = new StringWriter();
        int exit = Program.Run(args, w, w, ct, onProgress);
        return (exit, w.ToString());
    }

    /// <summary>A train/test folder of small colour PNGs under the fixture's root: 6 images a class to train on, 3 to test.</summary>
    private string SplitFolder(string name, int seed)
    {
        string data = Path.Combine(f.Root, name);
        TinyData.WritePngFolder(Path.Combine(data, "train"), perClass: 6, seed: seed);
        TinyData.WritePngFolder(Path.Combine(data, "test"), perClass: 3, seed: seed + 1);
        return data;
    }

    [Fact]
    public void Train_writes_model_metrics_options_and_plots()
    {
        Assert.True(f.TrainExit == 0, f.TrainOutput);
        foreach (var file in new[] { "model.zip", "metrics.json", "options.json", "calibration.json", "similarity_histogram.png", "roc.png", "projection.png" })
            Assert.True(File.Exists(Path.Combine(f.ModelDir, file)), $"{file} missing\n{f.TrainOutput}");
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(f.ModelDir, "metrics.json")));
        double p1 = metrics.RootElement.GetProperty("retrieval").GetProperty("PrecisionAt1").GetDouble();
        Assert.InRange(p1, 0, 1);
        Assert.Equal(1, metrics.RootElement.GetProperty("training").GetArrayLength());
        Assert.Equal(16, SavedOptions(f.ModelDir, "Encoder").GetProperty("EmbeddingDimension").GetInt32());
        Assert.Contains("Precision@1", f.TrainOutput);
        Assert.False(File.Exists(Path.Combine(f.ModelDir, "model.zip.tmp")));
    }

    /// <summary>train on <paramref name="data"/> with <paramref name="options"/> exits with the usage code 2 and names <paramref name="expected"/>.</summary>
    private void TrainRefuses(string data, string expected, params string[] options)
    {
        var (exit, output) = Run(["train", "--data", data, "--image-size", "16", "--out", Path.Combine(f.Root, "refused-" + expected), .. options, .. CliFixture.Small]);
        Assert.Equal(2, exit);
        Assert.Contains(expected, output);
    }

    /// <summary>A section (Encoder, Objective, Training, Inference) of the recipe in the options.json a train run wrote to <paramref name="outDir"/>.</summary>
    private static JsonElement SavedOptions(string outDir, string section)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "options.json")));
        return doc.RootElement.GetProperty("recipe").GetProperty(section).Clone();
    }

    /// <summary>The encoder configuration stored in the model.zip a train run wrote to <paramref name="outDir"/>.</summary>
    private static EncoderConfig SavedEncoder(string outDir)
    {
        var model = new Microsoft.ML.MLContext(1).Model.Load(Path.Combine(outDir, "model.zip"), out _);
        return ModelFiles.FindEmbedder(model)!.Encoder;
    }

    [Fact]
    public void Train_on_a_single_class_folder_tree_with_preset()
    {
        string outDir = Path.Combine(f.Root, "png-model");
        var (exit, output) = Run(["train", "--data", f.Pngs, "--grayscale", "--image-size", "28", "--preset", "article", "--out", outDir,
            "--validation-fraction", "0", "--early-stopping-patience", "0", .. CliFixture.Small]);
        Assert.True(exit == 0, output);
        Assert.True(File.Exists(Path.Combine(outDir, "model.zip")));
        Assert.Equal("OfflineRandom", SavedOptions(outDir, "Objective").GetProperty("Mining").GetString());
    }

    [Fact]
    public void Train_with_the_imagenet_preset_fine_tunes_ResNet18_from_the_ImageNet_weights_beside_the_cli()
    {
        string outDir = Path.Combine(f.Root, "imagenet-model");
        var (exit, output) = Run(["train", "--data", f.Pngs, "--grayscale", "--image-size", "28", "--preset", "imagenet", "--resize-to", "32", "--epochs", "1",
            "--calibration-fraction", "0", "--out", outDir]);
        Assert.True(exit == 0, output);
        var encoder = SavedEncoder(outDir);
        Assert.Equal(EncoderKind.ImageNetResNet18, encoder.Kind);
        Assert.Equal((32, 512, 1), (encoder.ResizeTo, encoder.EmbeddingDimension, encoder.Channels));

        var (refused, message) = Run(["train", "--data", f.Pngs, "--grayscale", "--image-size", "28", "--preset", "imagenet", "--embedding-dimension", "64", "--out", outDir + "-bad"]);
        Assert.NotEqual(0, refused);
        Assert.Contains("--embedding-dimension", message);
    }

    [Fact]
    public void Every_recipe_setting_is_one_train_option_with_its_documentation_and_default()
    {
        var train = MlNetSiamese.Cli.Program.Commands(new CliContext(TextWriter.Null, TextWriter.Null, true, default, null)).Subcommands.Single(c => c.Name == "train");
        var expected = MlNetSiamese.Cli.Commands.RecipeOptions.Sections
            .SelectMany(s => MlNetSiamese.Cli.Commands.RecipeOptions.Properties(s.Type).Select(p => (Name: "--" + MlNetSiamese.Cli.Commands.RecipeOptions.CliName(p), Property: p))).ToList();
        Assert.True(expected.Count >= 25, $"only {expected.Count} recipe settings found");
        Assert.Equal(expected.Count, expected.Select(e => e.Name).Distinct().Count());   // no two settings share a flag
        foreach (var (name, property) in expected)
        {
            var option = train.Options.SingleOrDefault(o => o.Name == name);
            Assert.True(option != null, $"{property.DeclaringType!.Name}.{property.Name} has no train option {name}");
            Assert.Contains("[default: ", option!.Description);
            Assert.False(option.Description!.StartsWith(property.Name + " [default: "), $"{name} has no help text from the documentation: '{option.Description}'");
        }
        // Every other train option is about data, held-out classes, files and the calibration, not the recipe.
        var others = train.Options.Select(o => o.Name).Except(expected.Select(e => e.Name)).Where(n => n.StartsWith("--")).Order().ToArray();
        Assert.Equal(new[] { "--calibration-fraction", "--data", "--grayscale", "--holdout-classes", "--holdout-fraction", "--image-size", "--limit", "--options", "--out", "--positive-rate", "--preset", "--resume", "--target-precision", "--test-limit" }, others);
    }

    [Fact]
    public void Train_takes_recipe_options_and_a_recipe_file_and_names_bad_values()
    {
        string data = SplitFolder("options-folder", seed: 7);
        string outDir = Path.Combine(f.Root, "options-model");
        var (exit, output) = Run(["train", "--data", data, "--image-size", "16", "--out", outDir, "--learning-rate", "0.002", "--mining", "batchhard",
            "--test-time-flip", "true", "--optimizer", "AdamW", .. CliFixture.Small]);
        Assert.True(exit == 0, output);
        Assert.Equal(0.002f, SavedOptions(outDir, "Training").GetProperty("LearningRate").GetSingle());
        Assert.Equal("AdamW", SavedOptions(outDir, "Training").GetProperty("Optimizer").GetString());
        Assert.Equal("BatchHard", SavedOptions(outDir, "Objective").GetProperty("Mining").GetString());
        Assert.True(SavedEncoder(outDir).TestTimeFlip);   // stored in the model

        // The run's options.json is a recipe: a second run takes it whole, and explicit options still win.
        string again = Path.Combine(f.Root, "options-again");
        (exit, output) = Run(["train", "--data", data, "--image-size", "16", "--out", again, "--options", Path.Combine(outDir, "options.json"), "--margin", "0.3"]);
        Assert.True(exit == 0, output);
        Assert.Equal("BatchHard", SavedOptions(again, "Objective").GetProperty("Mining").GetString());
        Assert.Equal(0.3f, SavedOptions(again, "Objective").GetProperty("Margin").GetSingle());
        Assert.Equal(0.002f, SavedOptions(again, "Training").GetProperty("LearningRate").GetSingle());

        TrainRefuses(data, "--learning-rate takes a number with a dot", "--learning-rate", "0,5");
        TrainRefuses(data, "--training-crop-size", "--training-crop-size", "2");
        TrainRefuses(data, "--mining takes one of", "--mining", "Hardest");
        string bad = Path.Combine(f.Root, "bad-recipe.json");
        File.WriteAllText(bad, "{\"Training\": {\"LerningRate\": 0.1}}");
        TrainRefuses(data, "has no setting 'LerningRate'", "--options", bad);
    }

    [Fact]
    public void Train_and_evaluate_on_a_train_test_image_folder()
    {
        string data = SplitFolder("split-folder", seed: 3);
        string outDir = Path.Combine(f.Root, "split-model");
        var (exit, output) = Run(["train", "--data", data, "--image-size", "24", "--out", outDir, "--encoder", "ConvNet", .. CliFixture.Small]);
        Assert.True(exit == 0, output);
        Assert.Contains("train 16  test 9  images 3x24x24", output);
        Assert.Contains("(+2 held out for calibration)", output);
        (exit, output) = Run(["evaluate", "--model", outDir, "--data", data]);
        Assert.True(exit == 0, output);
        (exit, output) = Run(["evaluate", "--model", outDir, "--data", f.Idx]);
        Assert.Equal(2, exit);
        Assert.Contains("expects 3x24x24", output);
    }

    [Fact]
    public void Evaluate_writes_metrics_and_plots()
    {
        string outDir = Path.Combine(f.Root, "eval");
        var (exit, output) = Run(["evaluate", "--model", Path.Combine(f.ModelDir, "model.zip"), "--data", f.Idx, "--out", outDir, "--test-limit", "24"]);
        Assert.True(exit == 0, output);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        Assert.Equal(24, metrics.RootElement.GetProperty("retrieval").GetProperty("QueryCount").GetInt32());
        Assert.True(File.Exists(Path.Combine(outDir, "roc.png")));
        Assert.Contains("MAP@R", output);
    }

    [Fact]
    public void Embed_data_set_and_image_files_to_csv_and_index()
    {
        string csv = Path.Combine(f.Root, "emb", "data.csv");
        var (exit, output) = Run(["embed", "--model", f.ModelDir, "--input", f.Idx, "--out", csv]);
        Assert.True(exit == 0, output);
        var lines = File.ReadAllLines(csv);
        Assert.Equal(31, lines.Length);
        Assert.Equal(3 + 16, lines[1].Split(',').Length);
        Assert.Equal(30, CosineIndex.Load(Path.ChangeExtension(csv, ".index")).Count);

        string csv2 = Path.Combine(f.Root, "emb", "pngs.csv");
        (exit, output) = Run(["embed", "--model", f.ModelDir, "--input", f.Pngs, "--out", csv2]);
        Assert.True(exit == 0, output);
        var index = CosineIndex.Load(Path.ChangeExtension(csv2, ".index"));
        Assert.Equal(24, index.Count);
        Assert.Equal(16, index.Dimension);
    }

    [Fact]
    public void Search_prints_top_k_and_writes_grid()
    {
        string grid = Path.Combine(f.Root, "grid.png");
        string query = Path.Combine(f.Pngs, "class1", "img0.png");
        var (exit, output) = Run(["search", "--model", f.ModelDir, "--gallery", f.Pngs, "--query", query, "-k", "3", "--grid", grid]);
        Assert.True(exit == 0, output);
        Assert.Contains("Top 3", output);
        Assert.Contains("img0.png", output);
        Assert.True(new FileInfo(grid).Length > 0);

        (exit, output) = Run(["search", "--model", f.ModelDir, "--gallery", f.Idx, "--query", Path.Combine(f.Pngs, "class2"), "-k", "2"]);
        Assert.True(exit == 0, output);
    }

    [Fact]
    public void Compare_prints_similarity_and_verdict()
    {
        var (exit, output) = Run(["compare", "--model", f.ModelDir, Path.Combine(f.Pngs, "class0", "img0.png"), Path.Combine(f.Pngs, "class0", "img1.png")]);
        Assert.True(exit == 0, output);
        Assert.Contains("similarity:", output);
        Assert.Matches("verdict: (same|different)", output);
    }

    [Fact]
    public void The_model_zip_takes_images_only_no_label()
    {
        var ml = new Microsoft.ML.MLContext(1);
        var model = ml.Model.Load(Path.Combine(f.ModelDir, "model.zip"), out var schema);
        // Recorded input: the pixel column alone (before, the training schema with Label, and a MapValueToKey("Label") step).
        Assert.Equal(["Features"], schema.Select(c => c.Name));
        Assert.IsType<MlNetSiamese.SiameseEmbeddingTransformer>(model);
        // A prediction engine whose input class has no Label embeds; its embedding equals the batched Transform's.
        var pixels = Enumerable.Range(0, 784).Select(i => (i % 29) / 28f).ToArray();
        var definition = Microsoft.ML.Data.SchemaDefinition.Create(typeof(PixelsOnly));
        definition[0].ColumnType = new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Single, 784);
        var engine = ml.Model.CreatePredictionEngine<PixelsOnly, Embedded>(model, inputSchemaDefinition: definition);
        var single = engine.Predict(new PixelsOnly { Features = pixels }).Embedding;
        var batched = ml.Data.CreateEnumerable<Embedded>(model.Transform(ml.Data.LoadFromEnumerable([new PixelsOnly { Features = pixels }], definition)), false).Single().Embedding;
        Assert.Equal(16, single.Length);
        Assert.True(single.Zip(batched).All(p => Math.Abs(p.First - p.Second) <= 1e-6f));
    }

    [Fact]
    public void A_model_zip_saved_with_the_label_step_still_loads_in_every_command()
    {
        // Zips written before 2026-12-01 hold MapValueToKey("Label") -> SiameseEmbed, saved with the training schema.
        var ml = new Microsoft.ML.MLContext(1);
        var embedder = (MlNetSiamese.SiameseEmbeddingTransformer)ml.Model.Load(Path.Combine(f.ModelDir, "model.zip"), out _);
        var rows = Enumerable.Range(0, 6).Select(i => new Labelled { Label = $"c{i % 3}", Features = new float[784] }).ToList();
        var definition = Microsoft.ML.Data.SchemaDefinition.Create(typeof(Labelled));
        definition[nameof(Labelled.Features)].ColumnType = new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Single, 784);
        var data = ml.Data.LoadFromEnumerable(rows, definition);
        var old = new Microsoft.ML.Data.TransformerChain<ITransformer>(new ITransformer[] { ml.Transforms.Conversion.MapValueToKey("Label").Fit(data), embedder });
        string dir = Path.Combine(f.Root, "old-model");
        Directory.CreateDirectory(dir);
        ml.Model.Save(old, data.Schema, Path.Combine(dir, "model.zip"));

        var (exit, output) = Run(["compare", "--model", dir, Path.Combine(f.Pngs, "class0", "img0.png"), Path.Combine(f.Pngs, "class0", "img1.png")]);
        Assert.True(exit == 0, output);
        Assert.Contains("similarity:", output);
        (exit, output) = Run(["embed", "--model", dir, "--input", f.Pngs, "--out", Path.Combine(dir, "emb.csv")]);
        Assert.True(exit == 0, output);
        (exit, output) = Run(["evaluate", "--model", dir, "--data", f.Idx, "--out", Path.Combine(dir, "eval"), "--test-limit", "12"]);
        Assert.True(exit == 0, output);
    }

    public sealed class PixelsOnly { public float[] Features { get; set; } = []; }
    public sealed class Labelled { public string Label { get; set; } = ""; public float[] Features { get; set; } = []; }
    public sealed class Embedded { public float[] Embedding { get; set; } = []; }

    [Fact]
    public void Unknown_option_is_bad_usage()
    {
        var (exit, output) = Run(["train", "--no-such-option"]);
        Assert.Equal(2, exit);
        Assert.Contains("--no-such-option", output);
        Assert.Contains("--help", output);
    }

    [Fact]
    public void Missing_data_folder_is_bad_usage_naming_the_folder()
    {
        string missing = Path.Combine(f.Root, "no-such-data");
        var (exit, output) = Run(["train", "--data", missing, "--out", Path.Combine(f.Root, "x")]);
        Assert.Equal(2, exit);
        Assert.Contains(missing, output);
    }

    [Fact]
    public void A_file_that_is_not_a_model_fails_with_a_message()
    {
        string fake = Path.Combine(f.Root, "fake.zip");
        File.WriteAllText(fake, "not a model");
        var (exit, output) = Run(["evaluate", "--model", fake, "--data", f.Idx]);
        Assert.Equal(1, exit);
        Assert.Contains("is not a model", output);
        Assert.Contains("mlnet-siamese train", output);

        (exit, output) = Run(["compare", "--model", Path.Combine(f.Root, "missing.zip"), "a.png", "b.png"]);
        Assert.Equal(2, exit);
        Assert.Contains("does not exist", output);

        // A model of ours whose encoder configuration lies: the library's own message, not "not a model".
        string lying = Path.Combine(f.Root, "lying.zip");
        File.Copy(Path.Combine(f.ModelDir, "model.zip"), lying, overwrite: true);
        using (var zip = System.IO.Compression.ZipFile.Open(lying, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName.EndsWith("EncoderConfig.json"));
            string json;
            using (var reader = new StreamReader(entry.Open())) json = reader.ReadToEnd();
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(entry.FullName).Open());
            writer.Write(System.Text.RegularExpressions.Regex.Replace(json, "\"EmbeddingDimension\":\\s*\\d+", "\"EmbeddingDimension\": 0"));
        }
        (exit, output) = Run(["evaluate", "--model", lying, "--data", f.Idx]);
        Assert.Equal(1, exit);
        Assert.Contains("cannot be loaded: Encoder configuration is invalid: EmbeddingDimension 0", output);
        Assert.DoesNotContain("is not a model", output);
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    public void Numbers_mean_the_same_under_a_comma_decimal_culture(string culture)
    {
        var before = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo(culture);
            Assert.Equal(",", System.Globalization.CultureInfo.CurrentCulture.NumberFormat.NumberDecimalSeparator);   // the case that went wrong
            string outDir = Path.Combine(f.Root, "culture-" + culture);
            var (exit, output) = Run(["train", "--data", f.Idx, "--out", outDir, "--margin", "0.3", "--learning-rate", "0.002", "--calibration-fraction", "0.2", .. CliFixture.Small]);
            Assert.True(exit == 0, output);
            Assert.Equal(0.3f, SavedOptions(outDir, "Objective").GetProperty("Margin").GetSingle());
            Assert.Equal(0.002f, SavedOptions(outDir, "Training").GetProperty("LearningRate").GetSingle());
            Assert.Matches(@"Precision@1\s+\|\s+\d\.\d{4}", output);   // printed with a dot
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo(culture);
            string a = Path.Combine(f.Pngs, "class0", "img0.png"), b = Path.Combine(f.Pngs, "class0", "img1.png");
            (exit, output) = Run(["compare", "--model", f.ModelDir, a, b, "--threshold", "0.5"]);
            Assert.True(exit == 0, output);
            Assert.Contains("threshold 0.5000 from --threshold", output);
            (exit, output) = Run(["compare", "--model", f.ModelDir, a, b, "--threshold", "2"]);
            Assert.Equal(2, exit);
            Assert.Contains("in [-1, 1]", output);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void A_plain_folder_of_photos_is_a_gallery_and_a_limit_samples_every_class()
    {
        // Photos straight in a folder (no class sub-folders), as the README's examples use them.
        string photos = Path.Combine(f.Root, "plain-photos");
        Directory.CreateDirectory(photos);
        foreach (var file in Directory.GetFiles(Path.Combine(f.Pngs, "class0")).Take(3).Concat(Directory.GetFiles(Path.Combine(f.Pngs, "class1")).Take(2)))
            File.Copy(file, Path.Combine(photos, Path.GetFileName(Path.GetDirectoryName(file)) + "-" + Path.GetFileName(file)), overwrite: true);
        string csv = Path.Combine(f.Root, "plain-embed", "e.csv");
        var (exit, output) = Run(["embed", "--model", f.ModelDir, "--input", photos, "--out", csv]);
        Assert.True(exit == 0, output);
        Assert.Contains("embedded 5 images", output);
        (exit, output) = Run(["search", "--model", f.ModelDir, "--gallery", photos, "--query", Directory.GetFiles(photos)[0], "-k", "2"]);
        Assert.True(exit == 0, output);

        // --limit on class folders: every class, not the first N sorted paths (all of class0).
        csv = Path.Combine(f.Root, "limit-embed", "e.csv");
        (exit, output) = Run(["embed", "--model", f.ModelDir, "--input", f.Pngs, "--limit", "4", "--out", csv]);
        Assert.True(exit == 0, output);
        var labels = File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')[1]).ToList();
        Assert.Equal(4, labels.Count);
        Assert.True(labels.Distinct().Count() >= 2, $"labels {string.Join(" ", labels)}");
    }

    [Fact]
    public void An_unreadable_image_is_named_and_train_reports_what_it_skipped()
    {
        string bad = Path.Combine(f.Root, "broken", "broken.jpg");
        Directory.CreateDirectory(Path.GetDirectoryName(bad)!);
        File.WriteAllBytes(bad, [0xFF, 0xD8, 0xFF, 0x00, 1, 2, 3]);   // a JPEG header, then nothing decodable
        string good = Directory.GetFiles(Path.Combine(f.Pngs, "class0"))[0];
        var (exit, output) = Run(["compare", "--model", f.ModelDir, good, bad]);
        Assert.Equal(1, exit);
        Assert.Contains(bad, output);
        Assert.DoesNotContain("Splitter/consolidator", output);
        (exit, output) = Run(["embed", "--model", f.ModelDir, "--input", Path.GetDirectoryName(bad)!, "--out", Path.Combine(f.Root, "broken.csv")]);
        Assert.Equal(1, exit);
        Assert.Contains(bad, output);

        // train skips it, and says so with the path.
        string data = SplitFolder("broken-folder", seed: 9);
        string trainBad = Path.Combine(data, "train", "class0", "zz-broken.jpg");
        File.Copy(bad, trainBad, overwrite: true);
        (exit, output) = Run(["train", "--data", data, "--image-size", "16", "--out", Path.Combine(f.Root, "broken-model"), .. CliFixture.Small]);
        Assert.True(exit == 0, output);
        Assert.Contains("skipped 1 unreadable file", output);
        Assert.Contains(trainBad, output);
    }

    [Fact]
    public void Evaluate_splits_a_class_folder_tree_with_the_training_seed_and_refuses_another()
    {
        string tree = Path.Combine(f.Root, "one-tree");
        TinyData.WritePngFolder(tree, perClass: 10, seed: 12);
        string outDir = Path.Combine(f.Root, "one-tree-model");
        var (exit, output) = Run(["train", "--data", tree, "--image-size", "16", "--out", outDir, "--seed", "7", .. CliFixture.Small]);
        Assert.True(exit == 0, output);
        double trained;
        using (var m = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json"))))
            trained = m.RootElement.GetProperty("retrieval").GetProperty("PrecisionAt1").GetDouble();

        string evalDir = Path.Combine(f.Root, "one-tree-eval");
        (exit, output) = Run(["evaluate", "--model", outDir, "--data", tree, "--out", evalDir]);
        Assert.True(exit == 0, output);
        Assert.Contains("seed 7", output);
        using (var m = JsonDocument.Parse(File.ReadAllText(Path.Combine(evalDir, "metrics.json"))))
            Assert.Equal(trained, m.RootElement.GetProperty("retrieval").GetProperty("PrecisionAt1").GetDouble());   // the same test images

        (exit, output) = Run(["evaluate", "--model", outDir, "--data", tree, "--out", evalDir, "--split-seed", "1"]);
        Assert.Equal(2, exit);
        Assert.Contains("trained on the split of seed 7", output);
    }

    [Fact]
    public void Bad_data_and_output_paths_are_refused_up_front_and_leave_nothing_behind()
    {
        string file = Path.Combine(f.Root, "notes.txt");
        File.WriteAllText(file, "not data");
        var (exit, output) = Run(["train", "--data", file, "--out", Path.Combine(f.Root, "never"), .. CliFixture.Small]);
        Assert.Equal(2, exit);
        Assert.Contains("is a file; --data takes a folder", output);
        Assert.False(Directory.Exists(Path.Combine(f.Root, "never")));

        (exit, output) = Run(["train", "--data", f.Idx, "--out", file, .. CliFixture.Small]);
        Assert.Equal(2, exit);
        Assert.Contains($"--out '{file}' is a file", output);

        string onlyTrain = Path.Combine(f.Root, "only-train");
        TinyData.WritePngFolder(Path.Combine(onlyTrain, "train"), perClass: 2, seed: 3);
        (exit, output) = Run(["train", "--data", onlyTrain, "--out", Path.Combine(f.Root, "never2"), .. CliFixture.Small]);
        Assert.Equal(2, exit);
        Assert.Contains("has train/ but no test/", output);
        Assert.False(Directory.Exists(Path.Combine(f.Root, "never2")));   // a failed run removes the --out folder it made

        (exit, output) = Run(["train", "--data", f.Idx, "--out", Path.Combine(f.Root, "never3"), "--test-limit", "1", .. CliFixture.Small]);
        Assert.Equal(2, exit);
        Assert.Contains("--test-limit must be at least 2", output);
        Assert.DoesNotContain("epoch", output);   // before any training

        // A folder nobody can create (even root: /proc takes no new entries), found before the data is read.
        (exit, output) = Run(["train", "--data", f.Idx, "--out", "/proc/mlnetsiamese-out", .. CliFixture.Small]);
        Assert.Equal(2, exit);
        Assert.Contains("--out '/proc/mlnetsiamese-out' cannot be written", output);
        Assert.DoesNotContain("data:", output);
    }

    [Fact]
    public void A_saved_gallery_index_is_searched_again_only_with_its_own_model()
    {
        string csv = Path.Combine(f.Root, "gallery", "g.csv");
        var (exit, output) = Run(["embed", "--model", f.ModelDir, "--input", f.Pngs, "--out", csv]);
        Assert.True(exit == 0, output);
        string index = Path.ChangeExtension(csv, ".index");
        Assert.True(File.Exists(index + ".json"), output);
        string query = Directory.GetFiles(Path.Combine(f.Pngs, "class1"))[0];

        (exit, string fresh) = Run(["search", "--model", f.ModelDir, "--gallery", f.Pngs, "--query", query, "-k", "3"]);
        Assert.True(exit == 0, fresh);
        (exit, string reused) = Run(["search", "--model", f.ModelDir, "--index", index, "--query", query, "-k", "3"]);
        Assert.True(exit == 0, reused);
        static string Table(string text) => string.Join("\n", text.Split('\n').Where(l => l.Contains(".png")));
        Assert.Equal(Table(fresh), Table(reused));   // the same neighbours, labels, scores and files

        // Another model's index is refused by the model's hash.
        string other = Path.Combine(f.Root, "other-model");
        (exit, output) = Run(["train", "--data", f.Idx, "--out", other, "--seed", "3", .. CliFixture.Small]);
        Assert.True(exit == 0, output);
        (exit, output) = Run(["search", "--model", other, "--index", index, "--query", query]);
        Assert.Equal(2, exit);
        Assert.Contains("was made by another model", output);
    }

    [Fact]
    public void The_verdict_says_which_share_of_same_pairs_its_precision_is_for()
    {
        string outDir = Path.Combine(f.Root, "prior-model");
        var (exit, output) = Run(["train", "--data", f.Idx, "--out", outDir, "--positive-rate", "0.1", "--calibration-fraction", "0.2", .. CliFixture.Small]);
        Assert.True(exit == 0, output);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "calibration.json"))))
            Assert.Equal(0.1, doc.RootElement.GetProperty("PositiveRate").GetDouble(), 12);
        Assert.Contains("stated for a share 0.1 of \"same\" pairs", output);
        string a = Path.Combine(f.Pngs, "class0", "img0.png"), b = Path.Combine(f.Pngs, "class1", "img0.png");
        (exit, output) = Run(["compare", "--model", outDir, a, b]);
        Assert.True(exit == 0, output);
        Assert.Contains("chosen for a share 0.1 of \"same\" pairs", output);
        TrainRefuses(f.Idx, "--positive-rate is a share of pairs", "--positive-rate", "2");
    }

    [Fact]
    public void The_build_tool_that_publicizes_MLNET_is_not_shipped_with_the_tool()
    {
        // The CLI's output (and so its package) holds what runs, not build/Publicizer's apphost.
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "mlnet-siamese.dll")) || File.Exists(Path.Combine(AppContext.BaseDirectory, "MlNetSiamese.Cli.dll")));
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "Publicizer.runtimeconfig.json")));
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "Publicizer.dll")));
    }

    [Fact]
    public void Every_option_of_every_command_says_its_default()
    {
        var root = MlNetSiamese.Cli.Program.Commands(new CliContext(TextWriter.Null, TextWriter.Null, true, default, null));
        var commands = new List<System.CommandLine.Command>();
        void Walk(System.CommandLine.Command c) { commands.Add(c); foreach (var s in c.Subcommands) Walk(s); }
        Walk(root);
        var silent = commands.SelectMany(c => c.Options.Where(o => !o.Required && o.Name != "--help" && o.Name != "--version"
                && !o.HasDefaultValue && o.Description?.Contains("default", StringComparison.OrdinalIgnoreCase) != true)
            .Select(o => $"{c.Name} {o.Name}")).ToList();
        Assert.True(silent.Count == 0, "options whose help hides the default: " + string.Join(", ", silent));
    }

    [Fact]
    public void Compare_warns_when_an_image_is_converted_to_the_models_input()
    {
        string colour = Path.Combine(f.Root, "colour-40x30.png");
        using (var bmp = new SkiaSharp.SKBitmap(40, 30))
        {
            bmp.Erase(new SkiaSharp.SKColor(200, 30, 30));
            using var data = bmp.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(colour, data.ToArray());
        }
        string grey = Path.Combine(f.Pngs, "class0", "img0.png");   // 28 x 28, grey pixels stored as RGBA: no warning
        var (exit, output) = Run(["compare", "--model", f.ModelDir, grey, colour]);
        Assert.True(exit == 0, output);
        Assert.Contains("1 of 2 images are resized to the model's 28x28 (e.g. colour-40x30.png 40x30)", output);
        Assert.Contains("1 of 2 images are colour, converted to grey", output);
        (exit, output) = Run(["compare", "--model", f.ModelDir, grey, Path.Combine(f.Pngs, "class1", "img0.png")]);
        Assert.True(exit == 0, output);
        Assert.DoesNotContain("warning", output);
    }

    [Fact]
    public void Export_writes_an_onnx_file_named_after_the_models_columns()
    {
        string onnx = Path.Combine(f.Root, "export", "encoder.onnx");
        var (exit, output) = Run(["export", "--model", f.ModelDir, "--out", onnx]);
        Assert.True(exit == 0, output);
        Assert.Contains("input 'Features' [batch, 784], output 'Embedding' [batch, 16]", output);
        Assert.True(new FileInfo(onnx).Length > 1000);
    }

    [Fact]
    public void Classes_held_out_of_training_are_what_evaluation_and_few_shot_episodes_measure()
    {
        string data = Path.Combine(f.Root, "six-classes");
        TinyData.WritePngFolder(Path.Combine(data, "train"), perClass: 6, seed: 21, classes: 6);
        TinyData.WritePngFolder(Path.Combine(data, "test"), perClass: 4, seed: 22, classes: 6);
        string outDir = Path.Combine(f.Root, "held-out-model");
        var (exit, output) = Run(["train", "--data", data, "--image-size", "16", "--out", outDir, "--holdout-classes", "class4,class5", .. CliFixture.Small]);
        Assert.True(exit == 0, output);
        Assert.Contains("held out of training: class4, class5", output);
        Assert.Contains("train 22  test 8", output);   // 4 classes x 6 less 2 for calibration; the held-out classes' 2 x 4 test images
        using (var m = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json"))))
            Assert.Equal(["class4", "class5"], m.RootElement.GetProperty("data").GetProperty("heldOutClasses").EnumerateArray().Select(e => e.GetString()));

        (exit, output) = Run(["evaluate", "--model", outDir, "--data", data, "--classes", "class4,class5", "--episodes", "50", "--ways", "2", "--shots", "1"]);
        Assert.True(exit == 0, output);
        Assert.Contains("2-way 1-shot episodes (50, seed 0; 95% intervals)", output);
        Assert.Contains("nearest class prototype", output);
        Assert.Contains("8 / 8", output);   // queries / gallery: the two held-out classes only

        // The baselines on the same data and protocol: pixels as embeddings, the architecture untrained, ImageNet ResNet-18.
        foreach (var baseline in new[] { "pixels", "untrained", "resnet18" })
        {
            string dir = Path.Combine(f.Root, "baseline-" + baseline);
            (exit, output) = Run(["evaluate", "--model", outDir, "--data", data, "--classes", "class4,class5", "--baseline", baseline, "--episodes", "20", "--ways", "2", "--out", dir]);
            Assert.True(exit == 0, output);
            Assert.Contains($"baseline: ", output);
            using var m = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
            Assert.Equal(baseline, m.RootElement.GetProperty("data").GetProperty("baseline").GetString());
            Assert.Equal(8, m.RootElement.GetProperty("retrieval").GetProperty("QueryCount").GetInt32());
        }

        (exit, output) = Run(["evaluate", "--model", outDir, "--data", data, "--classes", "class4,zebra"]);
        Assert.Equal(2, exit);
        Assert.Contains("class 'zebra' is not in the data; its classes are class0", output);
        (exit, output) = Run(["evaluate", "--model", outDir, "--data", data, "--classes", "class4,class5", "--episodes", "10", "--shots", "4"]);
        Assert.Equal(2, exit);
        Assert.Contains("Class 'class4' has 4 item(s); 4-shot episodes need at least 5", output);
        TrainRefuses(data, "leaves 1 to train on", "--holdout-classes", "class1,class2,class3,class4,class5");
        TrainRefuses(data, "--holdout-fraction: ", "--holdout-fraction", "0.99");
    }

    [Fact]
    public void An_image_size_below_the_encoders_minimum_is_refused_before_training()
    {
        var (exit, output) = Run(["train", "--data", f.Pngs, "--image-size", "3", "--out", Path.Combine(f.Root, "tiny"), .. CliFixture.Small]);
        Assert.Equal(2, exit);
        Assert.Contains("--image-size", output);
        Assert.Contains("at least 4 x 4", output);   // the fixture's 2-stage widths halve twice
        (exit, output) = Run(["train", "--data", f.Pngs, "--image-size", "4", "--widths", "8,16,32", "--out", Path.Combine(f.Root, "tiny"), "--epochs", "1"]);
        Assert.Equal(2, exit);
        Assert.Contains("at least 8 x 8", output);
        Assert.DoesNotContain("Output size is too small", output);
    }

    [Fact]
    public void Cancellation_keeps_the_previous_model_byte_identical()
    {
        string outDir = Path.Combine(f.Root, "cancel");
        Directory.CreateDirectory(outDir);
        string model = Path.Combine(outDir, "model.zip");
        File.Copy(Path.Combine(f.ModelDir, "model.zip"), model);
        var before = File.ReadAllBytes(model);
        using var cts = new CancellationTokenSource();
        var (exit, output) = Run(["train", "--data", f.Idx, "--out", outDir, "--epochs", "3", "--widths", "8,16", "--embedding-dimension", "8", "--samples-per-class", "4"],
            cts.Token, _ => cts.Cancel());
        Assert.Equal(1, exit);
        Assert.Contains("cancelled", output);
        Assert.Equal(before, File.ReadAllBytes(model));
        Assert.False(File.Exists(model + ".tmp"));
        Assert.False(File.Exists(Path.Combine(outDir, "metrics.json")));
    }

    [Fact]
    public void Cancelled_training_keeps_its_checkpoint_and_resume_finishes_it()
    {
        string outDir = Path.Combine(f.Root, "resume");
        string[] args = ["train", "--data", f.Idx, "--out", outDir, "--epochs", "3", "--widths", "8,16", "--embedding-dimension", "8", "--samples-per-class", "4", "--validation-fraction", "0.2"];
        using var cts = new CancellationTokenSource();
        var (exit, output) = Run(args, cts.Token, p => { if (p.EpochCompleted && p.Epoch == 1) cts.Cancel(); });
        Assert.Equal(1, exit);
        Assert.Contains("--resume", output);
        Assert.True(File.Exists(Path.Combine(outDir, "checkpoint.bin")), output);
        Assert.False(File.Exists(Path.Combine(outDir, "model.zip")));

        var epochs = new List<int>();
        (exit, output) = Run([.. args, "--resume"], default, p => { if (p.EpochCompleted) epochs.Add(p.Epoch); });
        Assert.True(exit == 0, output);
        Assert.Equal(new[] { 2, 3 }, epochs);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        Assert.Equal(3, metrics.RootElement.GetProperty("training").GetArrayLength());

        (exit, output) = Run(["train", "--data", f.Idx, "--out", Path.Combine(f.Root, "no-checkpoint"), "--resume", .. CliFixture.Small]);
        Assert.Equal(2, exit);
        Assert.Contains("no checkpoint", output);

        // A new run with other options, cancelled before its first epoch ends: the checkpoint on disk is the earlier
        // run's, so nothing is promised, and --resume with the new options is refused, naming what differs.
        string[] other = [.. args, "--learning-rate", "0.002", "--mining", "BatchHard"];
        using var early = new CancellationTokenSource();
        (exit, output) = Run(other, early.Token, p => { if (p.Batch == 1) early.Cancel(); });
        Assert.Equal(1, exit);
        Assert.DoesNotContain("continue with the same command and --resume", output);
        Assert.Contains("belongs to an earlier run", output);
        (exit, output) = Run([.. other, "--resume"]);
        Assert.Equal(1, exit);
        Assert.Contains("Objective.Mining differs", output);
    }

    [Fact]
    public void The_threshold_is_calibrated_on_held_out_training_images_and_assessed_on_the_test_split()
    {
        using var calibration = JsonDocument.Parse(File.ReadAllText(Path.Combine(f.ModelDir, "calibration.json")));
        Assert.Contains("held out from training", calibration.RootElement.GetProperty("CalibratedOn").GetString());
        Assert.Contains("held out for calibration", f.TrainOutput);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(f.ModelDir, "metrics.json")));
        var assessed = metrics.RootElement.GetProperty("calibratedThresholdOnThisData");
        Assert.Equal(calibration.RootElement.GetProperty("Threshold").GetSingle(), assessed.GetProperty("Threshold").GetSingle());
        Assert.InRange(assessed.GetProperty("Accuracy").GetDouble(), 0, 1);
        Assert.Contains("At the calibrated threshold", f.TrainOutput);

        // evaluate assesses the model's threshold and leaves calibration.json alone unless --calibrate is given.
        string outDir = Path.Combine(f.Root, "eval-calibrate");
        var (exit, output) = Run(["evaluate", "--model", f.ModelDir, "--data", f.Idx, "--out", outDir]);
        Assert.True(exit == 0, output);
        Assert.False(File.Exists(Path.Combine(outDir, "calibration.json")));
        Assert.Contains("At the calibrated threshold", output);
        (exit, output) = Run(["evaluate", "--model", f.ModelDir, "--data", f.Idx, "--split", "Train", "--out", outDir, "--calibrate"]);
        Assert.True(exit == 0, output);
        using var written = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "calibration.json")));
        Assert.Contains("train split", written.RootElement.GetProperty("CalibratedOn").GetString());
    }

    [Fact]
    public void Limit_on_an_image_folder_samples_every_class_before_decoding()
    {
        string data = Path.Combine(f.Root, "limit-folder");
        TinyData.WritePngFolder(Path.Combine(data, "train"), perClass: 10, seed: 5);
        TinyData.WritePngFolder(Path.Combine(data, "test"), perClass: 2, seed: 6);
        var view = DataSource.Load(new Microsoft.ML.MLContext(1), data, DataSplit.Train, 9, new ImageShape(1, 28, 28), seed: 1);
        Assert.Equal(9, view.Count);
        Assert.True(Enumerable.Range(0, view.Count).Select(view.GetLabel).Distinct().Count() > 1);
    }

    [Fact]
    public void Data_locate_with_a_wrong_folder_fails_with_a_message()
    {
        var (exit, output) = Run(["data", "locate", "--data", Path.Combine(f.Root, "nowhere")]);
        Assert.Equal(1, exit);
        Assert.Contains("nowhere", output);
        (exit, output) = Run(["data", "locate", "--data", f.Idx]);
        Assert.True(exit == 0, output);
    }

    [Fact]
    public void Preset_best_leaves_the_widths_to_the_encoder_so_an_explicit_encoder_gets_its_own()
    {
        var options = MlNetSiamese.SiameseRecipes.Best(3, 32, 32);
        Assert.Equal(MlNetSiamese.EncoderKind.FastConvNet, options.Encoder.Kind);
        Assert.Null(options.Encoder.Widths);   // FastConvNet's defaults; --encoder ConvNet then gets ConvNet's, not a 4-stage ConvNet
        Assert.True(options.Inference.TestTimeFlip && options.Training.AugmentHorizontalFlip);
        var grey = MlNetSiamese.SiameseRecipes.Best(1, 28, 28);
        Assert.False(grey.Inference.TestTimeFlip || grey.Training.AugmentHorizontalFlip);
    }

    [Theory]
    [InlineData(3, 32, 24)]   // CIFAR-10: 24 x 24 crops
    [InlineData(3, 64, 48)]
    [InlineData(3, 9, 0)]     // three quarters of 9 is below the smallest crop: off rather than an invalid size
    [InlineData(1, 28, 0)]    // grey (Fashion-MNIST): off
    public void Preset_best_trains_colour_images_on_three_quarter_crops_first_with_label_smoothing(int channels, int side, int expected)
    {
        var options = MlNetSiamese.SiameseRecipes.Best(channels, side, side);
        Assert.Equal(expected, options.Training.TrainingCropSize);
        Assert.Equal(channels == 3 ? 0.2f : 0f, options.Objective.ClassificationLabelSmoothing);
        options.Validate();   // whatever the size, the preset's options are valid
    }
}
