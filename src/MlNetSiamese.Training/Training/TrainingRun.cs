namespace MlNetSiamese.Training;

/// <summary>What a training run reports to and is steered by, apart from what it trains: the checkpoint file, progress, cancellation, a log, where pretrained weights are.</summary>
internal sealed record TrainingRun
{
    /// <summary>Written after every epoch when set (see <see cref="CheckpointSession"/>).</summary>
    public string? CheckpointPath { get; init; }
    /// <summary>Continue from <see cref="CheckpointPath"/>.</summary>
    public bool Resume { get; init; }
    public IProgress<TrainingProgress>? Progress { get; init; }
    public CancellationToken CancellationToken { get; init; }
    public Action<string>? Log { get; init; }
    /// <summary>Where a pretrained encoder's starting weights are read (<see cref="EncoderOptions.PretrainedDirectory"/>).</summary>
    public string? PretrainedDirectory { get; init; }
}
