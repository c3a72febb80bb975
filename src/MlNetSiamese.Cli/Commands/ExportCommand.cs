using System.CommandLine;
using Microsoft.ML;

namespace MlNetSiamese.Cli.Commands;

/// <summary><c>export</c>: the model's encoder as an ONNX file for ONNX Runtime or ML.NET's ApplyOnnxModel, without libtorch.</summary>
public static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "model.zip (or its folder) written by train.", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "ONNX file to write (atomically).", DefaultValueFactory = _ => "encoder.onnx" };
        var command = new Command("export", "Write the model's encoder as a standard ONNX model (opset 17, batch norms folded, test-time flip and L2 normalisation included).")
        {
            model, output,
        };
        command.SetAction(r => context.Guard("export", () =>
        {
            var (_, embedder) = ModelFiles.Load(new MLContext(0), r.GetValue(model)!);
            string path = Path.GetFullPath(r.GetValue(output)!);
            embedder.ExportToOnnx(path);
            var pair = embedder.Columns[0];
            context.Output.WriteLine($"onnx: {path} (input '{pair.InputColumnName}' [batch, {embedder.Encoder.InputSize}], output '{pair.OutputColumnName}' [batch, {embedder.EmbeddingDimension}])");
            return Program.Success;
        }));
        return command;
    }
}
