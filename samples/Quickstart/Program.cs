using Microsoft.ML;
using MlNetSiamese;

var ml = new MLContext(seed: 1);
var train = ml.Data.TakeRows(ml.Data.LoadFashionMnist(split: DataSplit.Train), 6000); // Label (text), Features (1x28x28, 0..1)
var test = ml.Data.TakeRows(ml.Data.LoadFashionMnist(split: DataSplit.Test), 2000);

// The label (text) is read by training only: the fitted model takes pixels alone.
var pipeline = ml.Transforms.SiameseEmbed(new SiameseEmbeddingOptions
{
    InputColumnName = "Features", OutputColumnName = "Embedding", LabelColumnName = "Label",
    ImageChannels = 1, ImageHeight = 28, ImageWidth = 28,
    Encoder = { EmbeddingDimension = 64 },
    Training = { Epochs = 3, Seed = 1 },
});
var model = pipeline.Fit(train);
ml.Model.Save(model, model.InputSchema, "model.zip");            // the zip's input: Features only, as a service receives it
model.ExportToOnnx("encoder.onnx");                             // for samples/OnnxServing: the same embeddings without libtorch

var loaded = ml.Model.Load("model.zip", out _);                 // in any app: no registration call
var metrics = ml.Siamese().Evaluate(loaded.Transform(test), "Label", "Embedding");
Console.WriteLine($"test precision@1 {metrics.Retrieval.PrecisionAt1:F3}, MAP@R {metrics.Retrieval.MapAtR:F3}, pair ROC-AUC {metrics.Pairs?.RocAuc:F3}");
