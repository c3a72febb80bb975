using Onnx;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// The ImageNet weights of <see cref="ImageNetResNet18Encoder"/>, read from the ONNX files that the NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 copies next to an app (DnnImageModels/ResNet18Onnx/ResNet18.onnx and
/// DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx): each convolution's weights and the batch norm after it, in the
/// graph's order, and the mean image [1, 3, 224, 224].
/// </summary>
internal sealed class ImageNetResNet18Weights : IDisposable
{
    public const string PackageName = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    public const string NetworkFile = "ResNet18Onnx/ResNet18.onnx", PreprocessFile = "ResNetPrepOnnx/ResNetPreprocess.onnx";

    public string Source { get; }
    public IReadOnlyList<ConvolutionWeights> Convolutions { get; }
    public Tensor MeanImage { get; }

    /// <summary>A convolution's weights and its batch norm's scale, shift and running statistics.</summary>
    public sealed record ConvolutionWeights(Tensor Weight, Tensor Gamma, Tensor Beta, Tensor Mean, Tensor Variance);

    private ImageNetResNet18Weights(string source, List<ConvolutionWeights> convolutions, Tensor meanImage)
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
        var convolutions = new List<ConvolutionWeights>();
        var nodes = graph.Node.ToList();
        for (int i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].OpType != "Conv") continue;
            var norm = i + 1 < nodes.Count && nodes[i + 1].OpType == "BatchNormalization" && nodes[i + 1].Input[0] == nodes[i].Output[0] ? nodes[i + 1]
                : throw new InvalidDataException($"'{network}': convolution '{nodes[i].Name}' is not followed by its batch norm; not ML.NET's ResNet-18.");
            float eps = norm.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
            if (Math.Abs(eps - 1e-5f) > 1e-7f) throw new InvalidDataException($"'{network}': batch norm '{norm.Name}' has epsilon {eps}; ImageNetResNet18 uses 1e-5.");
            convolutions.Add(new ConvolutionWeights(Initializer(nodes[i].Input[1]), Initializer(norm.Input[1]), Initializer(norm.Input[2]), Initializer(norm.Input[3]), Initializer(norm.Input[4])));
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
        foreach (var c in Convolutions) { c.Weight.Dispose(); c.Gamma.Dispose(); c.Beta.Dispose(); c.Mean.Dispose(); c.Variance.Dispose(); }
        MeanImage.Dispose();
    }
}
