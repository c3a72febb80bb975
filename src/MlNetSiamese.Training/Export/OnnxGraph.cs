using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace MlNetSiamese.Export;

/// <summary>An ONNX graph being built: float initializers from tensors, nodes with attributes, unique value names.</summary>
internal sealed class OnnxGraph
{
    public GraphProto Graph { get; } = new() { Name = "mlnetsiamese" };
    private int next;

    /// <summary>A fresh value name starting with <paramref name="hint"/>.</summary>
    public string Name(string hint) => $"{hint}_{next++}";

    /// <summary>A float32 initializer holding <paramref name="tensor"/>'s values (copied, contiguous, row-major).</summary>
    public string Constant(Tensor tensor, string hint)
    {
        using var cpu = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous();
        var proto = new TensorProto { Name = Name(hint), DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(cpu.bytes) };
        proto.Dims.AddRange(cpu.shape);
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    public string Constant(float value, string hint)
    {
        var proto = new TensorProto { Name = Name(hint), DataType = (int)TensorProto.Types.DataType.Float };
        proto.FloatData.Add(value);
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    public string Int64s(string hint, params long[] values)
    {
        var proto = new TensorProto { Name = Name(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>Adds a node of <paramref name="op"/> and returns its (one) output's name.</summary>
    public string Node(string op, string[] inputs, params AttributeProto[] attributes)
    {
        string output = Name(op.ToLowerInvariant());
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto String(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float tensor value of shape [batch, <paramref name="width"/>] with a symbolic batch dimension.</summary>
    public static ValueInfoProto BatchOf(string name, long width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
