// Usage: MlNetSiamese.LoadCheck MODEL.zip INPUT.bin OUTPUT.bin [OUTPUT_COLUMN]
// INPUT.bin: int rows, int dims, rows*dims floats (column "Features", plus a "Label" column of "?").
// OUTPUT.bin: int rows, int dims, rows*dims floats of OUTPUT_COLUMN (default "Embedding").
// Prints libtorch's own NNPACK flag as read right after Model.Load (a loaded model must have switched it off).
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;

var ml = new MLContext();
var model = ml.Model.Load(args[0], out _);
Console.WriteLine($"libtorch userEnabledNNPACK after Model.Load: {(Libtorch.UserEnabledNnpack() ? "true" : "false")}");

using var reader = new BinaryReader(File.OpenRead(args[1]));
int rows = reader.ReadInt32(), dims = reader.ReadInt32();
var data = new List<Row>();
for (int r = 0; r < rows; r++)
{
    var f = new float[dims];
    for (int d = 0; d < dims; d++) f[d] = reader.ReadSingle();
    data.Add(new Row { Features = f });
}
var schema = SchemaDefinition.Create(typeof(Row));
schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dims);
var output = model.Transform(ml.Data.LoadFromEnumerable(data, schema));
string column = args.Length > 3 ? args[3] : "Embedding";
var embeddings = output.GetColumn<float[]>(column).ToList();

using var writer = new BinaryWriter(File.Create(args[2]));
writer.Write(embeddings.Count);
writer.Write(embeddings[0].Length);
foreach (var e in embeddings) foreach (var v in e) writer.Write(v);
Console.WriteLine($"embedded {embeddings.Count} rows with {model.GetType().Name}");

class Row
{
    public string Label { get; set; } = "?";
    public float[] Features { get; set; } = Array.Empty<float>();
}

static class Libtorch
{
    // at::globalContext().userEnabledNNPACK(), read here without the library's code (Itanium ABI: the object first).
    public static bool UserEnabledNnpack() => userEnabledNNPACK(globalContext());

    [DllImport("torch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr globalContext();

    [DllImport("torch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool userEnabledNNPACK(IntPtr context);
}
