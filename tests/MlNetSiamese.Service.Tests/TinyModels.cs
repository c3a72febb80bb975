using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese;
using SkiaSharp;

namespace MlNetSiamese.Service.Tests;

/// <summary>
/// Tiny grey 16 x 16 image models trained once for the tests (three classes: stripes, columns, checkers), saved as a
/// service reads them, plus PNG files of such images.
/// </summary>
public sealed class TinyModels : IDisposable
{
    public const int Side = 16;
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "mlnet-siamese-service-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Two models with different weights (seeds 1 and 2), 8-dimensional; and one with 12 dimensions.</summary>
    public string ModelA { get; }
    public string ModelB { get; }
    public string Model12 { get; }
    /// <summary>Model A saved the old way: MapValueToKey("Label") first, with the training schema.</summary>
    public string ModelAWithLabelStep { get; }
    public string[] Pngs { get; }

    public TinyModels()
    {
        Directory.CreateDirectory(Root);
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 36).Select(i => new Row { Label = $"c{i % 3}", Features = Pixels(i % 3, new Random(i)) }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows, Row.Schema());
        ModelA = Train(ml, data, 1, 8, "a.zip");
        ModelB = Train(ml, data, 2, 8, "b.zip");
        Model12 = Train(ml, data, 3, 12, "c12.zip");
        var embedder = (SiameseEmbeddingTransformer)ml.Model.Load(ModelA, out _);
        var old = new TransformerChain<ITransformer>(new ITransformer[] { ml.Transforms.Conversion.MapValueToKey("Label").Fit(data), embedder });
        ModelAWithLabelStep = Path.Combine(Root, "a-with-label.zip");
        ml.Model.Save(old, data.Schema, ModelAWithLabelStep);
        Pngs = Enumerable.Range(0, 3).Select(c => WritePng(Path.Combine(Root, $"img{c}.png"), Pixels(c, new Random(100 + c)))).ToArray();
    }

    private string Train(MLContext ml, IDataView data, int seed, int dimension, string name)
    {
        var model = ml.Transforms.SiameseEmbed(new SiameseEmbeddingOptions
        {
            ImageChannels = 1, ImageHeight = Side, ImageWidth = Side,
            Encoder = { Kind = EncoderKind.ConvNet, Widths = [4, 8], EmbeddingDimension = dimension },
            Objective = { ClassesPerBatch = 3, SamplesPerClass = 4 },
            Training = { Epochs = 1, Seed = seed, ValidationFraction = 0 },
        }).Fit(data);
        string path = Path.Combine(Root, name);
        ml.Model.Save(model, model.InputSchema, path);
        return path;
    }

    public static float[] Pixels(int cls, Random rng)
    {
        var px = new float[Side * Side];
        int phase = rng.Next(4);
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                bool on = cls switch { 0 => (y + phase) / 3 % 2 == 0, 1 => (x + phase) / 3 % 2 == 0, _ => ((x + phase) / 3 + (y + phase) / 3) % 2 == 0 };
                px[y * Side + x] = Math.Clamp((on ? 200 : 40) + rng.Next(-30, 31), 0, 255) / 255f;
            }
        return px;
    }

    private static string WritePng(string path, float[] pixels)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(Side, Side, SKColorType.Gray8, SKAlphaType.Opaque));
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                byte v = (byte)Math.Round(pixels[y * Side + x] * 255);
                bitmap.SetPixel(x, y, new SKColor(v, v, v));
            }
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, png.ToArray());
        return path;
    }

    public static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>A fresh folder holding a copy of <paramref name="model"/> as model.zip (and calibration.json with <paramref name="threshold"/>).</summary>
    public string ServingFolder(string model, float? threshold = null)
    {
        string dir = Path.Combine(Root, "serve-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        File.Copy(model, Path.Combine(dir, "model.zip"));
        if (threshold is float t) File.WriteAllText(Path.Combine(dir, "calibration.json"), $"{{\"Threshold\": {t.ToString(System.Globalization.CultureInfo.InvariantCulture)}, \"PositiveRate\": 0.5}}");
        return dir;
    }

    /// <summary>The embeddings of <paramref name="inputs"/> by <c>mlContext.Model.Load</c> and a batched Transform, as an app computes them.</summary>
    public static float[][] Reference(string model, IReadOnlyList<float[]> inputs)
    {
        var ml = new MLContext(seed: 0);
        var loaded = ml.Model.Load(model, out _);
        var data = ml.Data.LoadFromEnumerable(inputs.Select(p => new Row { Features = p }), Row.Schema());
        return loaded.Transform(data).GetColumn<float[]>("Embedding").ToArray();
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    public sealed class Row
    {
        public string Label { get; set; } = "?";
        public float[] Features { get; set; } = [];

        public static SchemaDefinition Schema()
        {
            var s = SchemaDefinition.Create(typeof(Row));
            s[nameof(Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Side * Side);
            return s;
        }
    }
}
