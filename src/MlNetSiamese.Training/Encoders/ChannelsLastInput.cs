using TorchSharp;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// The first layer of every image network (trained and folded): its input in channels-last (NHWC) memory order, with
/// the same shape and values. libtorch 2.10's oneDNN convolution gives wrong values, NaN or a corrupted heap on
/// contiguous NCHW input when a channel count is not a multiple of the CPU's SIMD block (8 with AVX2, 16 with AVX-512);
/// on channels-last input it is right for every channel count, and faster, since oneDNN then needs no reordering
/// around each convolution (every later activation stays NHWC). Being part of the network, it holds for every caller:
/// training, validation, inference and a direct <c>forward</c>. <see cref="BackendSelfCheck"/> verifies it once
/// per process against float64.
/// </summary>
internal sealed class ChannelsLastInput() : nn.Module<Tensor, Tensor>(nameof(ChannelsLastInput))
{
    public override Tensor forward(Tensor input) => Of(input);

    /// <summary>
    /// The same [N, C, H, W] tensor with channels-last strides (TorchSharp has no memory_format argument); an alias
    /// when it already has them. The strides are set explicitly: permuting back after an NHWC copy gives NCHW strides
    /// again when C = 1 (the NHWC permute of a one-channel tensor is already contiguous, so nothing is copied), and
    /// libtorch would then keep NCHW.
    /// </summary>
    public static Tensor Of(Tensor nchw)
    {
        if (nchw.dim() != 4) throw new ArgumentException($"An image network takes [N, C, H, W] input; got [{string.Join(", ", nchw.shape)}].", nameof(nchw));
        long n = nchw.shape[0], c = nchw.shape[1], h = nchw.shape[2], w = nchw.shape[3];
        var strides = new[] { h * w * c, 1, w * c, c };
        if (nchw.stride().SequenceEqual(strides)) return nchw.alias();
        using var nhwc = nchw.permute(0, 2, 3, 1).contiguous();
        return nhwc.as_strided(new[] { n, c, h, w }, strides);
    }
}
