using Google.Protobuf;
using MlNetSiamese.Encoders;
using Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Export;

/// <summary>
/// Writes an encoder's inference network as a standard ONNX model (opset 17): input [batch, InputSize] floats named
/// after the model's input column, the image reshaped to NCHW, the batch-norm-folded network, the test-time flip when
/// the model uses it, L2 normalisation, output [batch, EmbeddingDimension] named after the output column. Metadata
/// carry the image shape, the embedding dimension, the flip and the library version. Any runtime that reads ONNX
/// (ONNX Runtime, and ML.NET's ApplyOnnxModel on it) then embeds without libtorch.
/// </summary>
internal static class OnnxExport
{
    public const long Opset = 17;

    public static ModelProto Build(Encoder trained, string inputName, string outputName)
    {
        var config = trained.Config;
        using var folded = trained.ForInference();
        var g = new OnnxGraph();
        g.Graph.Input.Add(OnnxGraph.BatchOf(inputName, config.InputSize));
        string x = inputName;
        if (config.IsImage) x = g.Node("Reshape", [x, g.Int64s("shape", -1, config.Channels, config.Height, config.Width)]);
        string embedding = Normalised(g, Network(g, folded.Network, x));
        if (config.TestTimeFlip)
        {
            // The image and its mirror image (width reversed), each embedded and normalised, summed, normalised.
            string mirrored = g.Node("Slice", [x, g.Int64s("starts", -1), g.Int64s("ends", long.MinValue), g.Int64s("axes", 3), g.Int64s("steps", -1)]);
            embedding = Normalised(g, g.Node("Add", [embedding, Normalised(g, Network(g, folded.Network, mirrored))]));
        }
        g.Node("Identity", [embedding]);
        g.Graph.Node[^1].Output[0] = outputName;   // the graph's output carries the model's column name
        g.Graph.Output.Add(OnnxGraph.BatchOf(outputName, config.EmbeddingDimension));

        var model = new ModelProto
        {
            IrVersion = 8, ProducerName = "MlNetSiamese", ProducerVersion = Version, Graph = g.Graph,
            DocString = $"MlNetSiamese {config.Kind} encoder: L2-normalised embeddings of {config.EmbeddingDimension} values.",
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        void Meta(string key, string value) => model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        Meta("mlnetsiamese.version", Version);
        Meta("mlnetsiamese.encoder", config.Kind.ToString());
        Meta("mlnetsiamese.image_shape", config.IsImage ? $"{config.Channels}x{config.Height}x{config.Width}" : "");
        Meta("mlnetsiamese.input_size", config.InputSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Meta("mlnetsiamese.embedding_dimension", config.EmbeddingDimension.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Meta("mlnetsiamese.test_time_flip", config.TestTimeFlip ? "true" : "false");
        return model;
    }

    /// <summary>Writes <see cref="Build"/>'s model to <paramref name="path"/> through a temporary file and a rename.</summary>
    public static void Save(Encoder trained, string inputName, string outputName, string path)
    {
        var bytes = Build(trained, inputName, outputName).ToByteArray();
        string full = Path.GetFullPath(path), tmp = full + ".tmp";
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        try
        {
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private static string Version => typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0";

    private static string Normalised(OnnxGraph g, string x) => g.Node("LpNormalization", [x], OnnxGraph.Int("axis", 1), OnnxGraph.Int("p", 2));

    /// <summary>The folded network's layers in order, as ONNX nodes from <paramref name="x"/>; a layer ONNX export does not know is named.</summary>
    internal static string Network(OnnxGraph g, nn.Module module, string x)
    {
        switch (module)
        {
            case Sequential sequence:
                foreach (var (_, child) in sequence.named_children()) x = Network(g, child, x);
                return x;
            case ChannelsLastInput:
                return x;   // ONNX tensors have no memory order; NCHW is the layout
            case Conv2d conv:
                return Conv(g, conv, x);
            case ReLU:
                return g.Node("Relu", [x]);
            case GELU:
                // 0.5 x (1 + erf(x / sqrt 2)): exact GELU, which opset 17 spells out (ONNX Runtime fuses it back).
                string erf = g.Node("Erf", [g.Node("Div", [x, g.Constant(MathF.Sqrt(2), "sqrt2")])]);
                return g.Node("Mul", [g.Node("Mul", [x, g.Node("Add", [erf, g.Constant(1f, "one")])]), g.Constant(0.5f, "half")]);
            case MaxPool2d pool:
                return g.Node("MaxPool", [x], OnnxGraph.Ints("kernel_shape", pool.kernel_size), OnnxGraph.Ints("strides", pool.stride ?? pool.kernel_size));
            case AdaptiveAvgPool2d:
                return g.Node("GlobalAveragePool", [x]);
            case AdaptiveMaxPool2d:
                return g.Node("GlobalMaxPool", [x]);
            case Flatten:
                return g.Node("Flatten", [x], OnnxGraph.Int("axis", 1));
            case Linear linear:
                string[] inputs = linear.bias is null
                    ? [x, g.Constant(linear.weight!, "weight")]
                    : [x, g.Constant(linear.weight!, "weight"), g.Constant(linear.bias, "bias")];
                return g.Node("Gemm", inputs, OnnxGraph.Int("transB", 1));
            case ImageNetResNet18Encoder imageNet when imageNet.IsFolded:
                return ImageNetResNet18Onnx.Network(g, imageNet, x);
            case ResNetEncoder.FoldedBlock block:
                var (first, second, shortcut) = block.Convolutions;
                string y = Conv(g, second, g.Node("Relu", [Conv(g, first, x)]));
                return g.Node("Relu", [g.Node("Add", [y, shortcut == null ? x : Conv(g, shortcut, x)])]);
            default:
                throw new NotSupportedException($"ONNX export does not know the layer {module.GetType().Name} ('{module.GetName()}').");
        }
    }

    private static string Conv(OnnxGraph g, Conv2d conv, string x)
    {
        long[] pads = conv.padding ?? [0, 0];
        string[] inputs = conv.bias is null
            ? [x, g.Constant(conv.weight!, "weight")]
            : [x, g.Constant(conv.weight!, "weight"), g.Constant(conv.bias, "bias")];
        return g.Node("Conv", inputs,
            OnnxGraph.Ints("kernel_shape", conv.kernel_size), OnnxGraph.Ints("strides", conv.stride), OnnxGraph.Ints("pads", [.. pads, .. pads]),
            OnnxGraph.Ints("dilations", conv.dilation), OnnxGraph.Int("group", conv.groups));
    }
}
