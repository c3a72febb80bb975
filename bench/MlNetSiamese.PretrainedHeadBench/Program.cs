using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese;
using MlNetSiamese.Cli;
using MlNetSiamese.Cli.Commands;
using MlNetSiamese.PretrainedHeadBench;

// Open-set experiment (issue #22): does a triplet head trained on the seen classes' ResNet-18 features beat the
// features themselves on classes never seen? Features are computed once per split and cached in --out.
//   dotnet run -c Release --project bench/MlNetSiamese.PretrainedHeadBench -- --data fashion --holdout Bag,Coat,Sandal,Sneaker,T-shirt/top
var a = Args.Parse(args);
var ml = new MLContext(1);
string? dir = a.Data == "fashion" ? null : a.Data;
var shape = a.Data == "fashion" ? new ImageShape(1, 28, 28) : new ImageShape(3, 32, 32);
Directory.CreateDirectory(a.Out);
var train = Features.Cached(ml, dir, DataSplit.Train, shape, a.Holdout, keep: false, a.TrainPerClass, a.Out);
var test = Features.Cached(ml, dir, DataSplit.Test, shape, a.Holdout, keep: true, int.MaxValue, a.Out);
Console.WriteLine($"train: {train.Count} seen-class images; test: {test.Count} held-out images ({string.Join(", ", a.Holdout)})");

var mean = Features.Mean(train.Vectors);
var results = new List<(string Run, Scores Scores)>
{
    ("ResNet-18 features (baseline)", Scores.Of(ml, test.Labels, test.Vectors, a.Ways)),
    ("ResNet-18 features, centred on the seen classes' mean", Scores.Of(ml, test.Labels, test.Vectors.Select(v => Features.Minus(v, mean)).ToList(), a.Ways)),
};
var options = new SiameseEmbeddingOptions { InputColumnName = "Features", OutputColumnName = "Embedding", LabelColumnName = "Label" };
options.Encoder.Widths = [512];
options.Encoder.EmbeddingDimension = 128;
options.Objective.ClassesPerBatch = train.Labels.Distinct().Count();
options.Objective.SamplesPerClass = 16;
options.Training.Epochs = a.Epochs;
options.Training.LearningRate = 3e-4f;
options.Training.Seed = 1;
var watch = System.Diagnostics.Stopwatch.StartNew();
var head = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.SiameseEmbed(options)).Fit(train.View(ml));
double seconds = watch.Elapsed.TotalSeconds;
var headVectors = head.LastTransformer.Transform(test.View(ml)).GetColumn<float[]>("Embedding").ToList();
string recipe = $"MLP 512 -> 128, margin 0.4, semi-hard, {options.Objective.ClassesPerBatch} x 16 per batch, {a.Epochs} epochs, Adam 3e-4, seed 1; {seconds:F0} s";
results.Add(($"triplet head on the features ({recipe})", Scores.Of(ml, test.Labels, headVectors, a.Ways)));
foreach (float w in a.HeadWeights)
{
    var joined = test.Vectors.Select((v, i) => Features.Join(Features.Minus(v, mean), headVectors[i], w)).ToList();
    results.Add(($"residual: centred features + {w.ToString(CultureInfo.InvariantCulture)} x head (both L2-normalised, concatenated)", Scores.Of(ml, test.Labels, joined, a.Ways)));
}
// Fusion with a model trained from pixels on the same seen classes (an experiment): its embeddings of the same
// held-out test images, beside the ResNet-18 features and beside the residual.
if (a.Fuse != null)
{
    var (_, embedder) = ModelFiles.Load(ml, a.Fuse);
    var images = Features.Images(ml, dir, DataSplit.Test, shape, a.Holdout, keep: true, int.MaxValue);
    var own = EvaluateCommand.Embed(ml, embedder, images).GetColumn<float[]>("Embedding").ToList();
    results.Add(($"pixel model alone ({a.Fuse})", Scores.Of(ml, test.Labels, own, a.Ways)));
    foreach (float w in a.FuseWeights)
    {
        string ws = w.ToString(CultureInfo.InvariantCulture);
        results.Add(($"features + {ws} x pixel model", Scores.Of(ml, test.Labels, test.Vectors.Select((v, i) => Features.Join(v, own[i], w)).ToList(), a.Ways)));
        var residual = test.Vectors.Select((v, i) => Features.Join(Features.Minus(v, mean), headVectors[i], 0.5f)).ToList();
        results.Add(($"residual (0.5) + {ws} x pixel model", Scores.Of(ml, test.Labels, residual.Select((v, i) => Features.Join(v, own[i], w)).ToList(), a.Ways)));
    }
}
Report.Print(results);
if (a.Markdown != null) Report.Append(a.Markdown, a, train.Count, test.Count, results);
