using System.CommandLine;
using Microsoft.ML;
using MlNetSiamese.Cli.Output;

namespace MlNetSiamese.Cli.Commands;

/// <summary><c>evaluate</c>: a saved model on a data set -> metrics table, metrics.json, calibration.json and plots.</summary>
public static class EvaluateCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "model.zip (or the folder holding it) written by train.", Required = true };
        var data = new Option<string?>("--data") { Description = DataSource.DataHelp };
        var split = new Option<DataSplit>("--split") { Description = "Train or Test.", DefaultValueFactory = _ => DataSplit.Test };
        var limit = new Option<int?>("--limit", "--test-limit") { Description = "Use only the first N images (a seeded sample across classes of an image folder). Default: all." };
        var output = new Option<string?>("--out", "-o") { Description = "Folder for metrics.json and plots (default: 'evaluation' in the model's folder, so train's own files stay)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the balanced pair sampling; the library's default.", DefaultValueFactory = _ => 0 };
        var splitSeed = new Option<int?>("--split-seed") { Description = "Seed of the 80/20 split of a single class-folder tree. Default: the training run's, from options.json next to the model; another one is refused (it would evaluate training images)." };
        var calibrate = new Option<bool>("--calibrate") { Description = "Choose the same/different threshold on THIS data and write calibration.json beside the model (or into --out) " +
            "(use validation data, e.g. --split Train). Default: false (the threshold train calibrated is only assessed here)." };
        var classes = new Option<string?>("--classes") { Description = "Evaluate only these classes (comma-separated), e.g. the ones held out of training. Default: all." };
        var episodes = new Option<int>("--episodes") { Description = "Also run this many N-way K-shot episodes (labelling queries by the nearest support image and the nearest class prototype); 0 = none.", DefaultValueFactory = _ => 0 };
        var ways = new Option<int>("--ways") { Description = "Classes per episode (N).", DefaultValueFactory = _ => 5 };
        var shots = new Option<int>("--shots") { Description = "Support images per class (K).", DefaultValueFactory = _ => 1 };
        var baseline = new Option<string?>("--baseline") { Description = "Evaluate a baseline instead of the model, on the same data and protocol: 'pixels' (the images' pixels as embeddings), 'untrained' (the model's architecture with fresh weights) or 'resnet18' (ML.NET's ImageNet ResNet-18 features at 224 x 224, about 26 images/s on 2 cores). Default: none (the model)." };
        baseline.AcceptOnlyFromAmong("pixels", "untrained", "resnet18");
        var command = new Command("evaluate", "Evaluate a saved model: retrieval and pair metrics, metrics.json, plots.")
        {
            model, data, split, limit, output, seed, splitSeed, calibrate, classes, episodes, ways, shots, baseline,
        };
        var calibration = new CalibrationStep();
        calibration.AddTo(command);
        command.SetAction(r => context.Guard("evaluate", () =>
        {
            var ui = new Ui(context);
            int s = r.GetValue(seed);
            var ml = new MLContext(s);
            string modelPath = ModelFiles.Resolve(r.GetValue(model)!);
            var (_, embedder) = ModelFiles.Load(ml, modelPath);
            string? dataDir = r.GetValue(data);
            int splitWith = SplitSeed(ui, modelPath, dataDir, r.GetValue(splitSeed));
            var view = DataSource.Load(ml, dataDir, r.GetValue(split), r.GetValue(limit), ImageShape.Of(embedder.Encoder), splitWith);
            DataSource.CheckShape(view, embedder.Encoder, dataDir);
            string[]? only = OpenSetOptions.ParseNames(r.GetValue(classes));
            if (only != null) view = OpenSetOptions.Rows(view, OpenSetOptions.Known(view, only, "--classes"), keep: true);
            string modelDir = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
            string outDir = r.GetValue(output) ?? Path.Combine(modelDir, "evaluation");
            Directory.CreateDirectory(outDir);
            string splitName = r.GetValue(split).ToString().ToLowerInvariant();
            object? chosen = null;
            var saved = ModelFiles.ReadCalibration(modelPath);
            IDataView embedded;
            switch (r.GetValue(baseline))
            {
                case "pixels":
                    embedded = ml.Data.Cache(ml.Transforms.CopyColumns("Embedding", InMemoryImageDataView.FeaturesColumnName)
                        .Append(ml.Transforms.SelectColumns("Label", "Embedding")).Fit(view).Transform(view));
                    saved = null;   // a threshold of the model means nothing for pixels
                    ui.Line("baseline: the images' pixels as embeddings");
                    break;
                case "resnet18":
                    embedded = ResNet18Baseline.Embed(ml, view, embedder.Encoder.Channels, embedder.Encoder.Height, embedder.Encoder.Width);
                    saved = null;
                    ui.Line("baseline: ML.NET's ImageNet ResNet-18 features (Microsoft.ML.DnnImageFeaturizer.ResNet18, 512 values, images upsampled to 224 x 224)");
                    break;
                case "untrained":
                    embedder = embedder.Untrained(s);
                    saved = null;
                    embedded = Embed(ml, embedder, view);
                    ui.Line($"baseline: the model's architecture with fresh weights (seed {s}), untrained");
                    break;
                default:
                    embedded = Embed(ml, embedder, view);
                    break;
            }
            if (r.GetValue(calibrate))
            {
                var c = CalibrationStep.Calibrate(context, ml, embedded, calibration.Options(r, s));
                if (c != null)
                {
                    chosen = CalibrationStep.Document(c, $"{view.Count} rows of {dataDir ?? "fashion-mnist"} ({splitName} split)");
                    // Beside the model (where compare reads it) unless --out names another folder.
                    ResultFiles.WriteJson(Path.Combine(r.GetValue(output) ?? modelDir, ModelFiles.CalibrationFileName), chosen);
                    saved = (c.Threshold, c.PositiveRate);
                }
            }
            var fewShot = OpenSetOptions.Episodes(ml, embedded, r.GetValue(episodes), r.GetValue(ways), r.GetValue(shots), s, ui);
            EvaluateAndWrite(context, ui, ml, embedder, view, embedded, outDir, s,
                new { source = dataDir ?? "fashion-mnist", split = splitName, rows = view.Count, model = modelPath, baseline = r.GetValue(baseline), classes = only, fewShot }, null, saved, chosen);
            return Program.Success;
        }));
        return command;
    }

    /// <summary>
    /// The seed that splits a single class-folder tree into train and test: the training run's (options.json beside the
    /// model), so evaluation sees the images the model was not trained on. Another seed is refused; without options.json
    /// the given seed (or 0) is used with a warning that the split cannot be checked.
    /// </summary>
    private static int SplitSeed(Ui ui, string modelPath, string? dataDir, int? given)
    {
        if (dataDir == null || DataSource.Detect(dataDir) != DataSource.Kind.ImageFolderSingle) return given ?? 0;
        int? trained = ModelFiles.ReadTrainingSeed(modelPath);
        if (trained is { } t)
        {
            if (given is { } g && g != t)
                throw new UsageException($"'{dataDir}' is one class-folder tree, split 80/20 by seed; the model was trained on the split of seed {t} " +
                                         $"(options.json), and --split-seed {g} would evaluate images it was trained on. Leave --split-seed out, or give data with train/ and test/.");
            ui.Line($"split: '{dataDir}' 80/20 with the training run's seed {t}");
            return t;
        }
        ui.Line($"warning: no options.json next to the model, so the images it was trained on are unknown: '{dataDir}' is split with seed {given ?? 0}, " +
                "which may put training images in the evaluation.");
        return given ?? 0;
    }

    /// <summary>
    /// Label and embedding of every row of <paramref name="view"/>, encoded once: the transform is lazy, and the
    /// evaluation, the threshold assessment, calibration and the plots each read the rows again, which would run the
    /// encoder over the whole set every time.
    /// </summary>
    public static IDataView Embed(MLContext ml, SiameseEmbeddingTransformer embedder, InMemoryImageDataView view)
    {
        var embedded = embedder.Transform(view);
        return ml.Data.Cache(ml.Transforms.SelectColumns("Label", "Embedding").Fit(embedded).Transform(embedded));
    }

    /// <summary>
    /// Evaluates <paramref name="embedded"/> (<see cref="Embed"/> of <paramref name="view"/>), assesses <paramref name="threshold"/> (calibrated on other rows) on it,
    /// writes metrics.json and plots, prints the table.
    /// </summary>
    public static SiameseMetrics EvaluateAndWrite(CliContext context, Ui ui, MLContext ml, SiameseEmbeddingTransformer embedder,
        InMemoryImageDataView view, IDataView embedded, string outDir, int seed, object dataInfo, IReadOnlyList<TrainingProgress>? history,
        (float Threshold, double PositiveRate)? threshold, object? calibration)
    {
        if (view.Count < 2) throw new UsageException($"Evaluation needs at least 2 images; the data has {view.Count}. Raise --test-limit/--limit.");
        var evaluation = new SiameseEvaluationOptions { Seed = seed };
        var metrics = ml.Siamese().Evaluate(embedded, "Label", "Embedding", evaluation);
        // The threshold is judged on these (other) rows at the same share of "same" pairs it was chosen for.
        ThresholdAssessment? atThreshold = threshold is { } t
            ? ml.Siamese().AssessThreshold(embedded, t.Threshold, "Label", "Embedding", new SiameseEvaluationOptions { Seed = seed, PairSampling = PairSampling.Balanced }, t.PositiveRate)
            : null;
        ResultFiles.WriteJson(Path.Combine(outDir, ResultFiles.MetricsFileName), ResultFiles.MetricsDocument(metrics, calibration, atThreshold, dataInfo, history));
        int dim = ((Microsoft.ML.Data.VectorDataViewType)embedded.Schema["Embedding"].Type).Size;   // the embedding's, or a baseline's vector
        var vectors = ModelFiles.ReadEmbeddings(embedded, dim);
        var labels = Enumerable.Range(0, view.Count).Select(view.GetLabel).ToList();
        var plots = ResultFiles.WritePlots(outDir, metrics, vectors, dim, labels);
        ui.Metrics(metrics, atThreshold);
        ui.Line($"metrics: {Path.Combine(outDir, ResultFiles.MetricsFileName)}");
        foreach (var p in plots) ui.Line($"plot: {p}");
        return metrics;
    }
}
