using MlNetSiamese.Encoders;
using TorchSharp.Modules;

namespace MlNetSiamese.Export;

/// <summary>
/// <see cref="ImageNetResNet18Encoder"/> (inference mode: the 512 pooled features) as ONNX nodes: Resize (linear,
/// half-pixel centres: PyTorch's bilinear without corner alignment) to the network's side, grey to three planes or RGB
/// to BGR, x 255 minus the mean image, then the convolutions and max-pool with CNTK's "same" padding spelt out as
/// explicit pads (the sizes are known once the side is), global average pool, flatten.
/// </summary>
internal static class ImageNetResNet18Onnx
{
    public static string Network(OnnxGraph g, ImageNetResNet18Encoder network, string x)
    {
        long side = network.Side;
        // sizes = [N, C] of the input, then the side twice (the batch size is only known at run time).
        string batchAndChannels = g.Node("Slice", [g.Node("Shape", [x]), g.Int64s("starts", 0), g.Int64s("ends", 2)]);
        string sizes = g.Node("Concat", [batchAndChannels, g.Int64s("side", side, side)], OnnxGraph.Int("axis", 0));
        x = g.Node("Resize", [x, "", "", sizes], OnnxGraph.String("mode", "linear"), OnnxGraph.String("coordinate_transformation_mode", "half_pixel"));
        x = network.Channels == 1
            ? g.Node("Concat", [x, x, x], OnnxGraph.Int("axis", 1))
            : g.Node("Slice", [x, g.Int64s("starts", -1), g.Int64s("ends", long.MinValue), g.Int64s("axes", 1), g.Int64s("steps", -1)]);
        x = g.Node("Sub", [g.Node("Mul", [x, g.Constant(255f, "scale")]), g.Constant(network.MeanImage, "mean_image")]);

        long size = side;
        x = g.Node("Relu", [Conv(g, network.Stem, x, ref size, kernel: 7, stride: 2)]);
        var (top, left, bottom, right) = ImageNetResNet18Encoder.SamePads(size, size, 3, 2);
        x = g.Node("MaxPool", [x], OnnxGraph.Ints("kernel_shape", 3, 3), OnnxGraph.Ints("strides", 2, 2), OnnxGraph.Ints("pads", top, left, bottom, right));
        size = (size + 1) / 2;
        foreach (var (first, second, shortcut, stride) in network.BlockLayers)
        {
            long input = size;
            string y = Conv(g, second, g.Node("Relu", [Conv(g, first, x, ref size, kernel: 3, stride: stride)]), ref size, kernel: 3, stride: 1);
            string skip = shortcut == null ? x : Conv(g, shortcut, x, ref input, kernel: 1, stride: stride);
            x = g.Node("Relu", [g.Node("Add", [y, skip])]);
        }
        return g.Node("Flatten", [g.Node("GlobalAveragePool", [x])], OnnxGraph.Int("axis", 1));
    }

    /// <summary>A convolution over a <paramref name="size"/>-pixel square input with "same" pads; <paramref name="size"/> becomes the output's.</summary>
    private static string Conv(OnnxGraph g, Conv2d conv, string x, ref long size, int kernel, int stride)
    {
        var (top, left, bottom, right) = ImageNetResNet18Encoder.SamePads(size, size, kernel, stride);
        size = (size + stride - 1) / stride;
        return g.Node("Conv", [x, g.Constant(conv.weight!, "weight"), g.Constant(conv.bias!, "bias")],
            OnnxGraph.Ints("kernel_shape", kernel, kernel), OnnxGraph.Ints("strides", stride, stride), OnnxGraph.Ints("pads", top, left, bottom, right));
    }
}
