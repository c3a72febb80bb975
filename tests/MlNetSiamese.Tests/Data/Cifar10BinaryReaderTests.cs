using Xunit;

namespace MlNetSiamese.Tests.Data;

public class Cifar10BinaryReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Records(params byte[] labels)
    {
        var bytes = new byte[labels.Length * 3073];
        for (int r = 0; r < labels.Length; r++)
        {
            bytes[r * 3073] = labels[r];
            for (int p = 0; p < 3072; p++)
                bytes[r * 3073 + 1 + p] = (byte)((p / 1024) * 100 + r); // plane index * 100 + record
        }
        return bytes;
    }

    private string WriteRelease(string folder)
    {
        Directory.CreateDirectory(folder);
        for (int i = 1; i <= 5; i++)
            File.WriteAllBytes(Path.Combine(folder, $"data_batch_{i}.bin"), Records((byte)(i - 1), (byte)(i + 4)));
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), Records(3, 8, 9));
        File.WriteAllText(Path.Combine(folder, "batches.meta.txt"), string.Join("\n", Cifar10BinaryReader.DefaultClassNames.Select(n => n.ToUpperInvariant())) + "\n\n");
        return folder;
    }

    [Fact]
    public void ReadsTrainAndTestWithMetaClassNames()
    {
        var folder = WriteRelease(_dir.File("cifar-10-batches-bin"));
        var train = Cifar10BinaryReader.Load(folder, DataSplit.Train);
        Assert.Equal(10, train.Count);
        Assert.Equal(3072, train.FeatureLength);
        Assert.Equal((3, 32, 32), (train.Channels, train.Height, train.Width));
        var rows = Rows.Read(train);
        Assert.Equal(new[] { "AIRPLANE", "DOG", "AUTOMOBILE", "FROG" }, rows.Take(4).Select(r => r.Label));
        // Planar RGB: first 1024 values are the red plane, next 1024 green, last 1024 blue.
        Assert.Equal(1 * (1f / 255f), rows[1].Features[0]);
        Assert.Equal(101 * (1f / 255f), rows[1].Features[1024]);
        Assert.Equal(201 * (1f / 255f), rows[1].Features[3071]);

        // The parent folder works too.
        var test = Cifar10BinaryReader.Load(_dir.Path, DataSplit.Test);
        Assert.Equal(new[] { "CAT", "SHIP", "TRUCK" }, Rows.Read(test).Select(r => r.Label));
    }

    [Fact]
    public void DefaultClassNamesWithoutMetaFile()
    {
        var folder = WriteRelease(_dir.File("bin"));
        File.Delete(Path.Combine(folder, "batches.meta.txt"));
        Assert.Equal(new[] { "cat", "ship", "truck" }, Rows.Read(Cifar10BinaryReader.Load(folder, DataSplit.Test)).Select(r => r.Label));
    }

    [Fact]
    public void RecordOfWrongLengthIsRejected()
    {
        var folder = WriteRelease(_dir.File("bin"));
        var path = Path.Combine(folder, "data_batch_3.bin");
        File.WriteAllBytes(path, Records(1, 2)[..^1]);
        var e = Assert.Throws<InvalidDataException>(() => Cifar10BinaryReader.Load(folder, DataSplit.Train));
        Assert.Contains(path, e.Message);
        Assert.Contains("3073", e.Message);
    }

    [Fact]
    public void EmptyBatchIsRejected()
    {
        var folder = WriteRelease(_dir.File("bin"));
        var path = Path.Combine(folder, "test_batch.bin");
        File.WriteAllBytes(path, Array.Empty<byte>());
        var e = Assert.Throws<InvalidDataException>(() => Cifar10BinaryReader.Load(folder, DataSplit.Test));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsRejected()
    {
        var folder = WriteRelease(_dir.File("bin"));
        var path = Path.Combine(folder, "test_batch.bin");
        File.WriteAllBytes(path, Records(1, 10));
        var e = Assert.Throws<InvalidDataException>(() => Cifar10BinaryReader.Load(folder, DataSplit.Test));
        Assert.Contains(path, e.Message);
        Assert.Contains("label 10 of record 1", e.Message);
    }

    [Fact]
    public void MissingBatchIsNamed()
    {
        var folder = WriteRelease(_dir.File("bin"));
        File.Delete(Path.Combine(folder, "data_batch_5.bin"));
        var e = Assert.Throws<FileNotFoundException>(() => Cifar10BinaryReader.Load(folder, DataSplit.Train));
        Assert.Contains("data_batch_5.bin", e.Message);
    }
}
