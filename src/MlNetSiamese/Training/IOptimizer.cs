using static TorchSharp.torch;

namespace MlNetSiamese.Training;

/// <summary>What the training loop needs of an optimiser: a learning rate a schedule sets before each step, the step,
/// and its state for checkpoints (refused when written by another optimiser).</summary>
internal interface IOptimizer : IDisposable
{
    double LearningRate { get; set; }
    void ZeroGrad();
    void Step();
    void Save(BinaryWriter writer);
    void Load(BinaryReader reader, string source);
}
