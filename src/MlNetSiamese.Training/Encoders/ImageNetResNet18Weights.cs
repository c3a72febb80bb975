using Onnx;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// The ImageNet weights of <see cref="ImageNetResNet18Encoder"/>, read from the ONNX files that the NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 copies next to an app (DnnImageModels/ResNet18Onnx/ResNet18.onnx and
/// DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx): each convolution with the batch norm after it folded in
/// (W s, beta - mean s with s = gamma / sqrt(var + eps)), in the graph's order, and the mean image [1, 3, 224, 224].
/// </summary>
internal sealed class ImageNetResNet18Weights : IDisposable
{
    public const string PackageName = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    public const string NetworkFile = "ResNet18Onnx/ResNet18.onnx", PreprocessFile = "ResNetPrepOnnx/ResNetPreprocess.onnx";

    public string Source { get; }
    public IReadOnlyList<(Tensor Weight, Tensor Bias)> Convolutions { get; }
    public Tensor MeanImage { get; }

    private ImageNetResNet18Weights(string source, List<(Tensor, Tensor)> convolutions, Tensor meanImage)
    {
        Source = source; Convolutions = convolutions; MeanImage = meanImage;
    }

    /// <summary>The folder ML.NET's featurizer reads by default: DnnImageModels beside the app.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "DnnImageModels");

    /// <summary>Reads the two files under <paramref name="directory"/> (null: <see cref="DefaultDirectory"/>).</summary>
    public static ImageNetResNet18Weights Read(string? directory)
    {
        directory ??= DefaultDirectory;
        string network = Path.Combine(directory, NetworkFile), preprocess = Path.Combine(directory, PreprocessFile);
        foreach (var file in new[] { network, preprocess })
            if (!File.Exists(file))
                throw new FileNotFoundException($"Encoder.Kind ImageNetResNet18 needs the ImageNet weights '{file}', which is missing. Add a PackageReference to {PackageName} 0.23.1 " +
                                                $"(it copies DnnImageModels/ next to the app), or set Encoder.PretrainedDirectory to a folder holding {NetworkFile} and {PreprocessFile}.", file);
        var graph = Parse(network).Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        Tensor Initializer(string name) => initializers.TryGetValue(name, out var t) ? ToTensor(t, network)
            : throw new InvalidDataException($"'{network}' names the initializer '{name}' but does not hold it.");
        var convolutions = new List<(Tensor, Tensor)>();
        var nodes = graph.Node.ToList();
        for (int i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].OpType != "Conv") continue;
            var norm = i + 1 < nodes.Count && nodes[i + 1].OpType == "BatchNormalization" && nodes[i + 1].Input[0] == nodes[i].Output[0] ? nodes[i + 1]
                : throw new InvalidDataException($"'{network}': convolution '{nodes[i].Name}' is not followed by its batch norm; not ML.NET's ResNet-18.");
            float eps = norm.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
            using var w = Initializer(nodes[i].Input[1]);
            using var gamma = Initializer(norm.Input[1]);
            using var beta = Initializer(norm.Input[2]);
            using var mean = Initializer(norm.Input[3]);
            using var variance = Initializer(norm.Input[4]);
            using var scale = gamma.div(variance.add(eps).sqrt());
            convolutions.Add((w.mul(scale.view(-1, 1, 1, 1)), beta.sub(mean.mul(scale))));
        }
        var meanImage = Parse(preprocess).Graph.Initializer.FirstOrDefault(t => t.Name == "MeanImage")
            ?? throw new InvalidDataException($"'{preprocess}' holds no MeanImage; not ML.NET's ResNet preprocessing.");
        return new ImageNetResNet18Weights(network, convolutions, ToTensor(meanImage, preprocess).view(1, 3, 224, 224));
    }

    private static ModelProto Parse(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return ModelProto.Parser.ParseFrom(stream);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e) { throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}", e); }
    }

    private static Tensor ToTensor(TensorProto t, string path)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float) throw new InvalidDataException($"'{path}': initializer '{t.Name}' is not float32.");
        float[] values = t.RawData.Length > 0
            ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray()
            : t.FloatData.ToArray();
        long[] dims = t.Dims.ToArray();
        if (values.LongLength != dims.Aggregate(1L, (a, b) => a * b)) throw new InvalidDataException($"'{path}': initializer '{t.Name}' holds {values.Length} values for shape [{string.Join(", ", dims)}].");
        return tensor(values, dims);
    }

    public void Dispose()
    {
        foreach (var (w, b) in Convolutions) { w.Dispose(); b.Dispose(); }
        MeanImage.Dispose();
    }
}
