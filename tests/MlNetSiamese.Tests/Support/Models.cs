using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.Tests.Support;

/// <summary>Small trained models shared by the tests of one class (training takes a second or two).</summary>
public static class Models
{
    public static readonly SiameseEmbeddingOptions VectorOptions = new()
    {
        Encoder = { EmbeddingDimension = 8, Widths = new[] { 32 } },
        Objective = { ClassesPerBatch = 4, SamplesPerClass = 4 },
        Training = { Epochs = 2, Seed = 5 },
    };

    public static (MLContext Ml, IDataView Data, ITransformer Model) TrainVectorPipeline(SiameseEmbeddingOptions? options = null)
    {
        var ml = new MLContext(seed: 1);
        var data = Synthetic.Load(ml, Synthetic.Clusters(classes: 4, perClass: 20, dims: 12, seed: 1));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.SiameseEmbed(options ?? VectorOptions));
        return (ml, data, pipeline.Fit(data));
    }

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnetsiamese-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static float MaxAbsDifference(float[][] a, float[][] b)
    {
        if (a.Length != b.Length) throw new InvalidOperationException($"{a.Length} rows vs {b.Length}");
        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i].Length != b[i].Length) throw new InvalidOperationException($"row {i}: {a[i].Length} vs {b[i].Length} values");
            for (int j = 0; j < a[i].Length; j++) max = Math.Max(max, Math.Abs(a[i][j] - b[i][j]));
        }
        return max;
    }
}
