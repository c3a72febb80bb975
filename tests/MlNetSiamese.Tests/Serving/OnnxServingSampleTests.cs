using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML;
using MlNetSiamese.Tests.Data;
using MlNetSiamese.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Tests.Serving;

/// <summary>
/// The package split: the core (MlNetSiamese) carries no TorchSharp, and samples/OnnxServing, which references only the
/// core, Microsoft.ML.OnnxTransformer and Microsoft.ML.OnnxRuntime, embeds an exported encoder with ApplyOnnxModel,
/// scores pairs and measures the same numbers as the TorchSharp model, with neither TorchSharp nor libtorch loaded.
/// </summary>
public class OnnxServingSampleTests(ITestOutputHelper output)
{
    [Fact]
    public void TheCoreAssemblyReferencesNeitherTorchSharpNorTheOnnxBuilder()
    {
        var core = typeof(CosineSimilarityEstimator).Assembly;
        Assert.Equal("MlNetSiamese", core.GetName().Name);
        var referenced = core.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("Microsoft.ML.Data", referenced);
        Assert.DoesNotContain(referenced, n => n.Contains("Torch", StringComparison.OrdinalIgnoreCase) || n.StartsWith("OnnxSharp", StringComparison.Ordinal));
        Assert.NotEqual(core, typeof(SiameseEmbeddingTransformer).Assembly);
    }

    [Fact]
    public void TheOnnxServingSampleMeasuresWhatTheTorchSharpModelMeasuresWithoutLoadingTorchSharp()
    {
        if (!Directory.Exists("/usr/share/datasets/fashion-mnist") && Environment.GetEnvironmentVariable("MLNETSIAMESE_DATA") == null)
        {
            Assert.False(SharedData.IsCi, "CI installs Fashion-MNIST, the sample's data");
            output.WriteLine("Fashion-MNIST is not installed here; the sample needs it.");
            return;
        }
        var ml = new MLContext(1);
        var train = ml.Data.TakeRows(ml.Data.LoadFashionMnist(split: DataSplit.Train), 600);
        var test = ml.Data.TakeRows(ml.Data.LoadFashionMnist(split: DataSplit.Test), 2000);   // the sample's test rows
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.SiameseEmbed(new SiameseEmbeddingOptions
        {
            ImageChannels = 1, ImageHeight = 28, ImageWidth = 28,
            Encoder = { Widths = [8, 16], EmbeddingDimension = 16 },
            Objective = { ClassesPerBatch = 5, SamplesPerClass = 4 },
            Training = { Epochs = 1, Seed = 1 },
        })).Fit(train);
        string work = Path.Combine(Path.GetTempPath(), "mlnetsiamese-onnxserving-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            model.LastTransformer.ExportToOnnx(Path.Combine(work, "encoder.onnx"));
            var expected = ml.Siamese().Evaluate(model.LastTransformer.Transform(test), "Label", "Embedding");

            var (code, text) = RunSample(work, "encoder.onnx");
            output.WriteLine(text);
            Assert.True(code == 0, $"the sample failed ({code}):\n{text}");
            Assert.Contains("TorchSharp loaded: no, libtorch mapped: no", text);
            var m = Regex.Match(text, @"test precision@1 ([0-9.]+), MAP@R ([0-9.]+), pair ROC-AUC ([0-9.]+)");
            Assert.True(m.Success, text);
            double Value(int i) => double.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture);
            Assert.Equal(expected.Retrieval.PrecisionAt1, Value(1), 0.0015);
            Assert.Equal(expected.Retrieval.MapAtR, Value(2), 0.0015);
            Assert.Equal(expected.Pairs!.RocAuc, Value(3), 0.0015);
            Assert.Matches(@"999 pairs scored: \d+ agree with the labels", text);

            var (missingCode, missing) = RunSample(work, "no-such.onnx");
            Assert.Equal(2, missingCode);
            Assert.Contains("no-such.onnx", missing);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Runs the sample as built with this test (same configuration; built here if it is not).</summary>
    private static (int Code, string Output) RunSample(string workingDirectory, string argument)
    {
        string configuration = DotnetProcess.Configuration;
        string project = Path.Combine(SharedData.RepoRoot, "samples", "OnnxServing");
        string dll = Path.Combine(project, "bin", configuration, "net10.0", "OnnxServing.dll");
        if (!File.Exists(dll))
        {
            var (built, log) = DotnetProcess.Run(workingDirectory, 600, ["build", project, "-c", configuration, "-nologo", "-v", "q"]);
            Assert.True(built == 0, $"building samples/OnnxServing failed:\n{log}");
        }
        return DotnetProcess.Run(workingDirectory, 600, [dll, argument]);
    }
}
