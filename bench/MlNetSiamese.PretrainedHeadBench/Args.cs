using System.Globalization;

namespace MlNetSiamese.PretrainedHeadBench;

/// <summary>Command-line arguments (a plain parser: an experiment, not a tool).</summary>
internal sealed record Args(string Data, string[] Holdout, int TrainPerClass, int Epochs, float[] HeadWeights, int Ways, string Out, string? Markdown, string? Fuse, float[] FuseWeights)
{
    public static Args Parse(string[] args)
    {
        string? Value(string name) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
        string data = Value("--data") ?? "fashion";
        string holdout = Value("--holdout") ?? throw new ArgumentException("--holdout: the held-out classes, comma-separated, are required.");
        return new Args(data, holdout.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            int.Parse(Value("--train-per-class") ?? "1000", CultureInfo.InvariantCulture),
            int.Parse(Value("--epochs") ?? "5", CultureInfo.InvariantCulture),
            (Value("--head-weights") ?? "0.5").Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
            int.Parse(Value("--ways") ?? "5", CultureInfo.InvariantCulture),
            Value("--out") ?? "runs/open-set-pretrained", Value("--markdown"), Value("--fuse"),
            (Value("--fuse-weights") ?? "1").Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray());
    }
}
