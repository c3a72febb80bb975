using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using MlNetSiamese.Cli.Output;

namespace MlNetSiamese.Cli.Commands;

/// <summary><c>compare</c>: two image files -> cosine similarity, and same/different with a calibrated threshold.</summary>
public static class CompareCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "model.zip (or its folder) written by train.", Required = true };
        var first = new Argument<string>("image-a") { Description = "First image file." };
        var second = new Argument<string>("image-b") { Description = "Second image file." };
        var threshold = new Option<float?>("--threshold") { Description = "Same/different threshold (default: calibration.json next to the model, written by train/evaluate)." };
        var command = new Command("compare", "Cosine similarity of two images (and same/different with a calibrated threshold).")
        {
            model, first, second, threshold,
        };
        command.SetAction(r => context.Guard("compare", () =>
        {
            var ml = new MLContext(0);
            string modelPath = ModelFiles.Resolve(r.GetValue(model)!);
            var (_, embedder) = ModelFiles.Load(ml, modelPath);
            var a = ImageInputs.ListFiles(r.GetValue(first)!, "image-a");
            var b = ImageInputs.ListFiles(r.GetValue(second)!, "image-b");
            if (a.Count != 1 || b.Count != 1) throw new UsageException("compare takes two image files, not folders. Use 'search' for folders.");
            var images = ImageInputs.EmbedFiles(ml, embedder, [a[0], b[0]], warn: context.Error.WriteLine);
            float similarity = Cosine(images.Vector(0), images.Vector(1));
            float? t = r.GetValue(threshold);
            if (t is { } given && !(given >= -1 && given <= 1))
                throw new UsageException($"--threshold is a cosine similarity, in [-1, 1]; got {given}.");
            string source = "--threshold";
            if (t == null && ModelFiles.ReadCalibration(modelPath) is { } saved)
            {
                t = saved.Threshold;
                source = $"{ModelFiles.CalibrationPath(modelPath)}, chosen for a share {saved.PositiveRate.ToString("0.###", CultureInfo.InvariantCulture)} of \"same\" pairs";
            }
            context.Output.WriteLine($"similarity: {similarity.ToString("F4", CultureInfo.InvariantCulture)}");
            if (t is { } th)
                context.Output.WriteLine($"verdict: {(similarity >= th ? "same" : "different")} (threshold {th.ToString("F4", CultureInfo.InvariantCulture)} from {source})");
            else
                context.Output.WriteLine("verdict: none (no calibration.json next to the model; train writes one; or run 'mlnet-siamese evaluate --calibrate' on validation data, or pass --threshold)");
            return Program.Success;
        }));
        return command;
    }

    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return na == 0 || nb == 0 ? 0 : (float)(dot / Math.Sqrt(na * nb));
    }
}
