using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>
/// An encoder some of whose weights are set from the training data before training (FastConvNet's whitened stem). The
/// trainer calls it once, before the first step of a run that does not resume (a checkpoint holds those weights).
/// </summary>
internal interface IInitializesFromData
{
    /// <summary>Sets those weights from training images [N, C, H, W]; an encoder without such weights leaves itself as it is.</summary>
    void InitializeFromData(Tensor images);
}
