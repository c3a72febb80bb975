using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese;

// The encoder file: written by samples/Quickstart (encoder.onnx) or `mlnet-siamese export --model model.zip --out encoder.onnx`.
string onnx = args.Length > 0 ? args[0] : "encoder.onnx";
if (!File.Exists(onnx))
{
    Console.Error.WriteLine($"ONNX encoder '{Path.GetFullPath(onnx)}' not found: run samples/Quickstart first, or pass a file written by `mlnet-siamese export`.");
    return 2;
}

var ml = new MLContext(seed: 1);
var test = ml.Data.TakeRows(ml.Data.LoadFashionMnist(split: DataSplit.Test), 2000);     // Label (text), Features (1x28x28, 0..1)

// Embed: ML.NET's own ONNX transform. The exported graph holds the whole inference network (batch norm folded,
// test-time flip if the model uses it, L2 normalisation), and its input and output are named after the model's columns.
var encoder = ml.Transforms.ApplyOnnxModel(outputColumnName: "Embedding", inputColumnName: "Features", modelFile: onnx).Fit(test);
var embedded = encoder.Transform(test);
var metrics = ml.Siamese().Evaluate(embedded, "Label", "Embedding");
Console.WriteLine($"test precision@1 {metrics.Retrieval.PrecisionAt1:F3}, MAP@R {metrics.Retrieval.MapAtR:F3}, pair ROC-AUC {metrics.Pairs?.RocAuc:F3}");

// Score pairs: each image against the next one, with MlNetSiamese's cosine-similarity transform.
int dimension = ((VectorDataViewType)embedded.Schema["Embedding"].Type).Size;
var items = ml.Data.CreateEnumerable<Item>(embedded, reuseRowObject: false).Take(1000).ToList();
var pairs = items.Zip(items.Skip(1), (a, b) => new Pair { Same = a.Label == b.Label, Left = a.Embedding, Right = b.Embedding }).ToList();
var schema = SchemaDefinition.Create(typeof(Pair));
schema[nameof(Pair.Left)].ColumnType = schema[nameof(Pair.Right)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
var pairView = ml.Data.LoadFromEnumerable(pairs, schema);
var scored = ml.Transforms.CosineSimilarity("Similarity", "Left", "Right", threshold: 0.5f).Fit(pairView).Transform(pairView);
var results = ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).ToList();
Console.WriteLine($"{results.Count} pairs scored: {results.Count(r => r.IsMatch == r.Same)} agree with the labels at similarity >= 0.5; " +
    $"mean similarity {results.Where(r => r.Same).Average(r => r.Similarity):F3} for same-class pairs, {results.Where(r => !r.Same).Average(r => r.Similarity):F3} for others");

// No TorchSharp in this process, and no libtorch mapped.
bool torchSharp = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name!.StartsWith("TorchSharp", StringComparison.Ordinal));
bool libtorch = File.Exists("/proc/self/maps") && File.ReadLines("/proc/self/maps").Any(l => l.Contains("libtorch", StringComparison.Ordinal));
Console.WriteLine($"TorchSharp loaded: {(torchSharp ? "yes" : "no")}, libtorch mapped: {(libtorch ? "yes" : "no")}");
return torchSharp || libtorch ? 1 : 0;

sealed class Item
{
    public string Label { get; set; } = "";
    public float[] Embedding { get; set; } = [];
}

sealed class Pair
{
    public bool Same { get; set; }
    public float[] Left { get; set; } = [];
    public float[] Right { get; set; } = [];
}

sealed class Scored
{
    public bool Same { get; set; }
    public float Similarity { get; set; }
    public bool IsMatch { get; set; }
}
