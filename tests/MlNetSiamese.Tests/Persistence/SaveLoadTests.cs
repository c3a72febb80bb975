using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Tests.Support;
using Xunit;

namespace MlNetSiamese.Tests.Persistence;

public class SaveLoadTests
{
    [Fact]
    public void SavedPipelineLoadsInSameProcessWithIdenticalEmbeddings()
    {
        var (ml, data, model) = Models.TrainVectorPipeline();
        string path = Path.Combine(Models.TempDir(), "model.zip");
        ml.Model.Save(model, data.Schema, path);

        var loaded = new MLContext().Model.Load(path, out var schema);
        Assert.Equal(data.Schema["Features"].Type, schema["Features"].Type);
        var expected = Synthetic.Embeddings(model.Transform(data), "Embedding");
        var actual = Synthetic.Embeddings(loaded.Transform(data), "Embedding");
        Assert.Equal(0f, Models.MaxAbsDifference(expected, actual));
    }

    [Fact]
    public void SavedPipelineLoadsInAnotherProcessWithIdenticalEmbeddings()
    {
        var (ml, data, model) = Models.TrainVectorPipeline();
        string dir = Models.TempDir();
        string modelPath = Path.Combine(dir, "model.zip"), input = Path.Combine(dir, "in.bin"), output = Path.Combine(dir, "out.bin");
        ml.Model.Save(model, data.Schema, modelPath);

        var features = data.GetColumn<float[]>("Features").ToArray();
        using (var w = new BinaryWriter(File.Create(input)))
        {
            w.Write(features.Length); w.Write(features[0].Length);
            foreach (var row in features) foreach (var v in row) w.Write(v);
        }

        var (code, log) = RunLoadCheck(modelPath, input, output);
        Assert.True(code == 0, $"the separate process failed ({code}): {log}");
        // Loading a model (what a service does, and nothing else) switched libtorch's NNPACK off in that fresh process:
        // on CPUs NNPACK does not know, it would print "Could not initialize NNPACK!" at every prediction (issue #21).
        Assert.Contains("libtorch userEnabledNNPACK after Model.Load: false", log);

        using var r = new BinaryReader(File.OpenRead(output));
        int rows = r.ReadInt32(), dims = r.ReadInt32();
        var other = Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, dims).Select(_ => r.ReadSingle()).ToArray()).ToArray();
        var expected = Synthetic.Embeddings(model.Transform(data), "Embedding");
        Assert.Equal(0f, Models.MaxAbsDifference(expected, other));
    }

    [Fact]
    public void EmbeddingPairsAndSimilarityWithThresholdSaveAsOnePipeline()
    {
        var (ml, data, model) = Models.TrainVectorPipeline();
        var embed = ((IEnumerable<ITransformer>)model).OfType<SiameseEmbeddingTransformer>().Single();
        var pairs = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(i => new PairRow
        {
            A = Synthetic.Clusters(4, 10, 12, 7)[i].Features,
            B = Synthetic.Clusters(4, 10, 12, 8)[i + (i % 2)].Features,
        }), PairRow.Schema(12));
        var shared = embed.WithColumns(new InputOutputColumnPair("EmbeddingA", "A"), new InputOutputColumnPair("EmbeddingB", "B"));
        var scorer = ml.Transforms.CosineSimilarity("Similarity", "EmbeddingA", "EmbeddingB", threshold: 0.5f).Fit(shared.Transform(pairs));
        var pipeline = new TransformerChain<ITransformer>(shared, scorer);

        string path = Path.Combine(Models.TempDir(), "pairs.zip");
        ml.Model.Save(pipeline, pairs.Schema, path);
        var loaded = ml.Model.Load(path, out _);

        var before = pipeline.Transform(pairs);
        var after = loaded.Transform(pairs);
        var simBefore = before.GetColumn<float>("Similarity").ToArray();
        var simAfter = after.GetColumn<float>("Similarity").ToArray();
        Assert.True(simBefore.SequenceEqual(simAfter), string.Join(" ", simBefore) + " VS " + string.Join(" ", simAfter));
        Assert.Equal(simBefore.Select(s => s >= 0.5f), after.GetColumn<bool>("IsMatch"));
        // Shared weights: a column embedded as A or as B gives the same vector as the training column.
        var a = Synthetic.Embeddings(after, "EmbeddingA");
        var direct = Synthetic.Embeddings(embed.Transform(ml.Data.LoadFromEnumerable(
            Synthetic.Clusters(4, 10, 12, 7).Take(10).ToList(), SchemaFor(12))), "Embedding");
        Assert.Equal(0f, Models.MaxAbsDifference(direct, a));
        // and the similarity column is the cosine of the two embeddings.
        var b = Synthetic.Embeddings(after, "EmbeddingB");
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(Synthetic.Cosine(a[i], b[i]) - simAfter[i]) < 1e-5, $"row {i}: cosine {Synthetic.Cosine(a[i], b[i])} vs column {simAfter[i]}");
    }

    [Fact]
    public void DamagedTensorShapeIsRefusedWithClearError()
    {
        var (ml, data, model) = Models.TrainVectorPipeline();
        string path = Path.Combine(Models.TempDir(), "model.zip");
        ml.Model.Save(model, data.Schema, path);
        // Rewrite the encoder config to claim a wider first layer than the stored weights have.
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName.EndsWith("EncoderConfig.json"));
            string json;
            using (var r = new StreamReader(entry.Open())) json = r.ReadToEnd();
            Assert.Contains("32", json);
            string name = entry.FullName;
            entry.Delete();
            using var w = new StreamWriter(zip.CreateEntry(name).Open());
            w.Write(json.Replace("32", "48"));
        }
        var e = Assert.ThrowsAny<Exception>(() => ml.Model.Load(path, out _));
        Assert.Contains("claims shape", Flatten(e));
    }

    internal static string Flatten(Exception e) => e.InnerException == null ? e.Message : e.Message + " | " + Flatten(e.InnerException);

    private static SchemaDefinition SchemaFor(int dims)
    {
        var s = SchemaDefinition.Create(typeof(Synthetic.VectorRow));
        s[nameof(Synthetic.VectorRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dims);
        return s;
    }

    internal static (int Code, string Log) RunLoadCheck(params string[] args)
    {
        string testDir = AppContext.BaseDirectory;                       // tests/MlNetSiamese.Tests/bin/<Config>/<tfm>/
        string tfm = new DirectoryInfo(testDir.TrimEnd('/')).Name;
        string dll = Path.GetFullPath(Path.Combine(testDir, "..", "..", "..", "..", "MlNetSiamese.LoadCheck", "bin", DotnetProcess.Configuration, tfm, "MlNetSiamese.LoadCheck.dll"));
        Assert.True(File.Exists(dll), $"missing {dll}");
        return DotnetProcess.Run(null, 120, [dll, .. args]);
    }

    public sealed class PairRow
    {
        public float[] A { get; set; } = Array.Empty<float>();
        public float[] B { get; set; } = Array.Empty<float>();

        public static SchemaDefinition Schema(int dims)
        {
            var s = SchemaDefinition.Create(typeof(PairRow));
            s[nameof(A)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dims);
            s[nameof(B)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dims);
            return s;
        }
    }
}
