using Microsoft.ML;

namespace MlNetSiamese.Persistence;

/// <summary>
/// The version header of every model stream this library writes. ML.NET checks it on load: a stream written by a
/// newer version that this one cannot read is refused, and the loader assembly named in it (this library) is
/// loaded by ML.NET itself, so apps need no registration call.
/// </summary>
internal static class ModelVersion
{
    /// <summary>
    /// The header of a stream in version <paramref name="written"/> (default 1.1), which readers of that version or later
    /// can read; this library reads the stream's versions back to <paramref name="readableBackTo"/>. Raise
    /// <paramref name="written"/> when a format changes. <paramref name="loader"/> is the assembly that holds the format's
    /// loader (default this one): ML.NET loads it by that name, so MlNetSiamese.Training's formats pass their own.
    /// </summary>
    public static VersionInfo Of(string modelSignature, string loaderSignature, uint written = 0x00010001, uint readableBackTo = 0x00010001, System.Reflection.Assembly? loader = null) => new(
        modelSignature: modelSignature,
        verWrittenCur: written,
        verReadableCur: written,
        verWeCanReadBack: readableBackTo,
        loaderSignature: loaderSignature,
        loaderAssemblyName: (loader ?? typeof(ModelVersion).Assembly).FullName);
}
