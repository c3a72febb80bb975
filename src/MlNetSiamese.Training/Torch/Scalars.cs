using TorchSharp;

namespace MlNetSiamese.Torch;

/// <summary>
/// Scalars that live as long as the process, for TorchSharp calls whose convenient overloads would make a temporary.
/// A TorchSharp <see cref="Scalar"/> owns a native scalar through a raw handle and frees it in its finalizer, and
/// nothing keeps a temporary alive while the native call that reads it runs: the garbage collector can free it
/// mid-call, and libtorch then reads garbage ("Expected false to be true ... toFloat", "Unknown scalar type"). That
/// includes TorchSharp's own shorthands: <c>x.add_(y)</c> is <c>x.add_(y, 1)</c> with an implicit, unrooted Scalar 1.
/// So torch code here never passes a plain number where a
/// Scalar is taken, and always gives add/add_ an alpha: a static Scalar below, or a <c>using var s = x.ToScalar();</c>
/// that lives until after the call.
/// </summary>
internal static class Scalars
{
    /// <summary>1: the alpha of <c>add</c> / <c>add_</c>, or the value added.</summary>
    public static readonly Scalar One = 1.ToScalar();
}
