using System.CommandLine;
using Microsoft.ML;
using MlNetSiamese.Cli.Output;

namespace MlNetSiamese.Cli.Commands;

/// <summary><c>train</c>: fit a Siamese embedding, write model.zip (atomically), metrics.json, plots and options.json.</summary>
public static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var data = new Option<string?>("--data") { Description = DataSource.DataHelp };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N training images (a seeded sample across classes of an image folder). Default: all." };
        var testLimit = new Option<int?>("--test-limit") { Description = "Use only the first N test images for the evaluation (at least 2). Default: all." };
        var output = new Option<string>("--out", "-o") { Description = "Output folder (model.zip, metrics.json, plots, options.json).", DefaultValueFactory = _ => "siamese-model" };
        var preset = new Option<string?>("--preset") { Description = $"A named recipe of the library (SiameseRecipes): {string.Join(", ", SiameseRecipes.Names)}. --options and explicit options override it. Default: none (the library's defaults)." };
        preset.AcceptOnlyFromAmong([.. SiameseRecipes.Names]);
        var optionsFile = new Option<string?>("--options") { Description = "A recipe as JSON (sections Encoder, Objective, Training, Inference; a run's options.json is one), applied after --preset and before explicit options. Default: none." };
        var recipe = new RecipeOptions();
        var imageSize = new Option<int>("--image-size") { Description = "Image folders: side length images are resized to.", DefaultValueFactory = _ => 32 };
        var grayscale = new Option<bool>("--grayscale") { Description = "Image folders: decode as one grey channel. Default: false (RGB)." };
        var calibrationFraction = new Option<float>("--calibration-fraction")
        {
            Description = $"Share of the training images held out (never trained on) to choose the same/different threshold in calibration.json, at most {MaxCalibrationImages:N0} images; 0 = none.",
            DefaultValueFactory = _ => 0.1f,
        };
        var holdoutClasses = new Option<string?>("--holdout-classes") { Description = "Keep these classes (comma-separated) out of training and evaluate on their test images: classes the model never saw. Default: none." };
        var holdoutFraction = new Option<double?>("--holdout-fraction") { Description = "Keep this seeded share of the classes out of training instead (e.g. 0.5), and evaluate on them. Default: none." };
        var resume = new Option<bool>("--resume") { Description = $"Continue an interrupted run from {ModelFiles.CheckpointFileName} in --out (same data and options; any other setting is refused, named). Default: false." };

        var command = new Command("train", "Train a Siamese embedding model and evaluate it on the test split. Recipe defaults are shown without --preset.")
        {
            data, limit, testLimit, output, preset, optionsFile, imageSize, grayscale, calibrationFraction, holdoutClasses, holdoutFraction, resume,
        };
        foreach (var option in recipe.All) command.Options.Add(option);
        var calibration = new CalibrationStep();
        calibration.AddTo(command);
        command.SetAction(r => context.Guard("train", () =>
        {
            var ui = new Ui(context);
            string outDir = r.GetValue(output)!;
            string? dataDir = r.GetValue(data);
            var shape = new ImageShape(r.GetValue(grayscale) ? 1 : 3, r.GetValue(imageSize), r.GetValue(imageSize));
            if (shape.Width < 1) throw new UsageException($"--image-size must be at least 1; got {shape.Width}.");   // the encoder's own minimum is checked with the recipe
            float calFraction = r.GetValue(calibrationFraction);
            if (!(calFraction >= 0 && calFraction < 0.5f)) throw new UsageException($"--calibration-fraction must be in [0, 0.5); got {calFraction}.");
            if (r.GetValue(testLimit) is < 2) throw new UsageException($"--test-limit must be at least 2 (evaluation compares test images with each other); got {r.GetValue(testLimit)}.");
            // The recipe first (for the requested image shape), so that option errors come before any data is read.
            var options = Recipe(r, preset, optionsFile, recipe, shape.Channels, shape.Height, shape.Width);
            var folder = OutputFolder.Prepare(outDir);
            if (r.GetValue(holdoutClasses) != null && r.GetValue(holdoutFraction) != null) throw new UsageException("--holdout-classes and --holdout-fraction choose the same thing; give one.");
            var request = new Request(r, recipe, preset, optionsFile, dataDir, r.GetValue(limit), r.GetValue(testLimit), shape, calFraction, r.GetValue(resume),
                calibration.Options(r, options.Training.Seed), OpenSetOptions.ParseNames(r.GetValue(holdoutClasses)), r.GetValue(holdoutFraction));
            try { return Train(context, ui, request, options, folder); }
            catch
            {
                folder.RemoveIfEmpty();
                throw;
            }
        }));
        return command;
    }

    /// <summary>What the command line asked for, parsed.</summary>
    private sealed record Request(ParseResult Parse, RecipeOptions Recipe, Option<string?> Preset, Option<string?> OptionsFile, string? DataDir,
        int? Limit, int? TestLimit, ImageShape Shape, float CalibrationFraction, bool Resume, CalibrationOptions Calibration,
        string[]? HoldoutClasses, double? HoldoutFraction)
    {
        public SiameseEmbeddingOptions Options(int channels, int height, int width) => TrainCommand.Recipe(Parse, Preset, OptionsFile, Recipe, channels, height, width);
    }

    private static int Train(CliContext context, Ui ui, Request request, SiameseEmbeddingOptions options, OutputFolder folder)
    {
        string outDir = folder.Path;
        int s = options.Training.Seed;
        var ml = new MLContext(s);
        var all = DataSource.Load(ml, request.DataDir, DataSplit.Train, request.Limit, request.Shape, s, ui.Line);
        var test = DataSource.Load(ml, request.DataDir, DataSplit.Test, request.TestLimit, request.Shape, s, ui.Line);
        IReadOnlyList<string>? heldOut = null;
        if (request.HoldoutClasses != null || request.HoldoutFraction != null)
        {
            try { heldOut = MlNetSiamese.Evaluation.HeldOutClasses.Choose(all.ClassNames, request.HoldoutClasses, request.HoldoutFraction, s); }
            catch (ArgumentException e) { throw new UsageException((request.HoldoutClasses != null ? "--holdout-classes: " : "--holdout-fraction: ") + e.Message.Split(" (Parameter")[0]); }
            all = OpenSetOptions.Rows(all, heldOut.ToHashSet(), keep: false);
            test = OpenSetOptions.Rows(test, heldOut.ToHashSet(), keep: true);
            ui.Line($"held out of training: {string.Join(", ", heldOut)} (the test split's images of these classes evaluate the model)");
        }
        var (train, calibrationSet) = HoldOut(all, request.CalibrationFraction, s);
        ui.Line($"data: {request.DataDir ?? "Fashion-MNIST"}  train {train.Count}  test {test.Count}  images {train.Channels}x{train.Height}x{train.Width}  classes {train.ClassNames.Count}" +
                (calibrationSet != null ? $"  (+{calibrationSet.Count} held out for calibration)" : ""));
        if ((train.Channels, train.Height, train.Width) != (options.ImageChannels, options.ImageHeight, options.ImageWidth))
            options = request.Options(train.Channels, train.Height, train.Width);   // the data's own shape (idx files are grey 28 x 28)
        options.Objective.ClassesPerBatch = Math.Min(options.Objective.ClassesPerBatch, Math.Max(2, train.ClassNames.Count));
        options.CancellationToken = context.CancellationToken;

        string modelPath = Path.Combine(outDir, ModelFiles.ModelFileName);
        options.CheckpointPath = Path.Combine(outDir, ModelFiles.CheckpointFileName);
        options.ResumeFromCheckpoint = request.Resume;
        if (options.ResumeFromCheckpoint && !File.Exists(options.CheckpointPath))
            throw new UsageException($"--resume: there is no checkpoint '{options.CheckpointPath}' to continue from. Run the same command without --resume.");
        // The estimator reads the text label itself: no MapValueToKey step, so the saved model takes images only.
        var pipeline = ml.Transforms.SiameseEmbed(options);
        SiameseEmbeddingTransformer model;
        var started = DateTime.UtcNow;
        try
        {
            model = TrainingView.Run(context, options.Training.Epochs, progress =>
            {
                options.Progress = progress;
                return pipeline.Fit(train);
            });
            context.CancellationToken.ThrowIfCancellationRequested();
        }
        catch (OperationCanceledException) when (File.Exists(options.CheckpointPath))
        {
            // Only a checkpoint this run wrote (after it started) is this run's to continue.
            if (File.GetLastWriteTimeUtc(options.CheckpointPath) >= started)
                context.Error.WriteLine($"train: the checkpoint of the last completed epoch is kept in '{options.CheckpointPath}'; " +
                                        "continue with the same command and --resume.");
            else
                context.Error.WriteLine($"train: no epoch of this run completed, so there is nothing of it to resume; '{options.CheckpointPath}' " +
                                        "belongs to an earlier run (--resume continues it only with that run's options).");
            throw;
        }
        ModelFiles.SaveAtomic(ml, model, model.InputSchema, modelPath);   // the zip's input: the pixel column alone
        ResultFiles.WriteJson(Path.Combine(outDir, ResultFiles.OptionsFileName), new
        {
            preset = request.Parse.GetValue(request.Preset), data = request.DataDir ?? "fashion-mnist (default search)", limit = request.Limit, testLimit = request.TestLimit,
            heldOutClasses = heldOut,
            recipe = RecipeOptions.ToJson(options),
        });
        ui.Line($"model: {modelPath}");
        var embedder = model;
        object? calibration = null;
        (float, double)? threshold = null;
        string calibrationFile = Path.Combine(outDir, ModelFiles.CalibrationFileName);
        if (calibrationSet != null && CalibrationStep.Calibrate(context, ml, EvaluateCommand.Embed(ml, embedder, calibrationSet), request.Calibration) is { } chosen)
        {
            calibration = CalibrationStep.Document(chosen, $"{calibrationSet.Count} training images held out from training (--calibration-fraction {request.CalibrationFraction})");
            ResultFiles.WriteJson(calibrationFile, calibration);
            threshold = (chosen.Threshold, chosen.PositiveRate);
        }
        else if (File.Exists(calibrationFile)) File.Delete(calibrationFile);   // it belonged to the model just replaced
        EvaluateCommand.EvaluateAndWrite(context, ui, ml, embedder, test, EvaluateCommand.Embed(ml, embedder, test), outDir, s,
            new { source = request.DataDir ?? "fashion-mnist", split = "test", rows = test.Count, heldOutClasses = heldOut }, embedder.History, threshold, calibration);
        return Program.Success;
    }

    /// <summary>Calibration pairs from 2,000 images are plenty; more would only be taken from training.</summary>
    public const int MaxCalibrationImages = 2000;

    /// <summary>A seeded share of the training images set aside (never trained on) for threshold calibration.</summary>
    private static (InMemoryImageDataView Train, InMemoryImageDataView? Calibration) HoldOut(InMemoryImageDataView all, float fraction, int seed)
    {
        int held = Math.Min(MaxCalibrationImages, (int)Math.Round(all.Count * (double)fraction));
        if (fraction == 0) return (all, null);
        if (held < 2 || all.Count - held < 2)
            throw new UsageException($"--calibration-fraction {fraction} of {all.Count} training images holds out {held}; raise --limit or set --calibration-fraction 0.");
        var order = Enumerable.Range(0, all.Count).ToArray();
        new Random(unchecked(seed + 17)).Shuffle(order);
        var calibration = order[..held]; var train = order[held..];
        Array.Sort(calibration); Array.Sort(train);
        return (DataSource.Subset(all, train), DataSource.Subset(all, calibration));
    }

    /// <summary>The preset (or the library's defaults), then the --options file, then the explicit options, validated in CLI words.</summary>
    private static SiameseEmbeddingOptions Recipe(ParseResult r, Option<string?> preset, Option<string?> optionsFile, RecipeOptions recipe, int channels, int height, int width)
    {
        var options = r.GetValue(preset) is { } name ? SiameseRecipes.Named(name, channels, height, width)
            : new SiameseEmbeddingOptions { ImageChannels = channels, ImageHeight = height, ImageWidth = width };
        if (r.GetValue(optionsFile) is { } file) RecipeOptions.ApplyFile(file, options);
        recipe.Apply(r, options);
        try { options.Validate(); }
        catch (ArgumentOutOfRangeException e)
        {
            var section = RecipeOptions.Sections.FirstOrDefault(x => e.ParamName?.StartsWith(x.Section + ".") == true);
            var property = section.Type == null ? null : RecipeOptions.Properties(section.Type).FirstOrDefault(p => e.ParamName == $"{section.Section}.{p.Name}");
            string flag = property != null ? "--" + RecipeOptions.CliName(property)
                : e.ParamName is "ImageHeight" or "ImageWidth" or "ImageChannels" ? "--image-size" : e.ParamName ?? "an option";
            throw new UsageException($"{flag}: {e.Message.Split(" (Parameter")[0]} Fix it (mlnet-siamese train --help).");
        }
        return options;
    }
}
