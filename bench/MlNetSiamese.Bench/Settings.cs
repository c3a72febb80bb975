namespace MlNetSiamese.Bench;

/// <summary>Sizes and repetitions of one harness run; <see cref="Smoke"/> shrinks everything to check the harness end to end.</summary>
public sealed record Settings
{
    public bool Smoke { get; init; }
    public int Threads { get; init; } = Environment.ProcessorCount;
    public int Repetitions { get; init; } = 5;
    public string[] Encoders { get; init; } = ["ConvNet", "ResNet"];
    public bool RunPeer { get; init; } = true;
    public string Python { get; init; } = "/usr/bin/python3";
    public string PeerScript { get; init; } = "";
    public double WarmupSeconds { get; init; } = 1.0;     // minimum warm-up time of the search and latency loops (JIT tiering)

    // training
    public int TrainWarmupBatches { get; init; } = 5;
    public int TrainBatches { get; init; } = 30;
    public int TrainClasses { get; init; } = 16;          // >= P, so every batch really has P x K rows
    public int ClassesPerBatch { get; init; } = 16;
    public int SamplesPerClass { get; init; } = 4;

    // inference
    public int InferenceRows { get; init; } = 10_000;
    public int[] InferenceBatchSizes { get; init; } = [64, 256];
    public int LatencyCalls { get; init; } = 1000;
    public int LatencyWarmup { get; init; } = 50;
    public int InferenceTrainBatches { get; init; } = 3;   // trainer batches before inference, so batch-norm statistics are not the identity

    // search
    public int[] GallerySizes { get; init; } = [100_000, 1_000_000];
    public int SearchDimension { get; init; } = 64;
    public int Queries { get; init; } = 1000;
    public int TopK { get; init; } = 10;

    // bandwidth
    public long BandwidthBytes { get; init; } = 1L << 30;

    public static Settings ForSmoke(Settings s) => s with
    {
        Smoke = true, Repetitions = 1, TrainWarmupBatches = 1, TrainBatches = 2,
        InferenceRows = 128, InferenceBatchSizes = [32, 64], LatencyCalls = 20, LatencyWarmup = 3, InferenceTrainBatches = 1,
        GallerySizes = [20_000, 100_000], Queries = 50, BandwidthBytes = 64L << 20,
    };

    public int BatchSize => ClassesPerBatch * SamplesPerClass;
}
