using MlNetSiamese.Build;
using MlNetSiamese.Tests.Data;
using MlNetSiamese.Tests.Support;
using MlNetSiamese.Torch;
using Xunit;

namespace MlNetSiamese.Tests.Build;

/// <summary>
/// A user's console app in a temporary folder outside this repository, with a ProjectReference to the library as
/// people reference a cloned library: none of this repository's build steps touch the app's output folder, so its
/// copy of TorchSharp's native library is the package's own, and the library must make it load at run time
/// (<see cref="NativeLibraryFix"/>). The app trains, embeds and prints an embedding.
/// </summary>
public class OutsideAppTests
{
    private const string Program = """
        using Microsoft.ML;
        using Microsoft.ML.Data;
        using MlNetSiamese;
        var ml = new MLContext(seed: 1);
        var random = new Random(1);
        var rows = Enumerable.Range(0, 24).Select(i => new Row { Label = $"c{i % 3}",
            Features = Enumerable.Range(0, 64).Select(j => (float)random.NextDouble() + (j % 3 == i % 3 ? 0.5f : 0)).ToArray() }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.SiameseEmbed(new SiameseEmbeddingOptions
        {
            ImageChannels = 1, ImageHeight = 8, ImageWidth = 8, Encoder = { Widths = [4, 8], EmbeddingDimension = 4 },
            Objective = { ClassesPerBatch = 3, SamplesPerClass = 4 },
            Training = { Epochs = 1, Seed = 1 },
        })).Fit(data);
        var first = model.Transform(data).GetColumn<float[]>("Embedding").First();
        Console.WriteLine($"embedded {first.Length} values, norm {Math.Sqrt(first.Sum(v => (double)v * v)):F4}");
        public sealed class Row { public string Label { get; set; } = ""; [VectorType(64)] public float[] Features { get; set; } = []; }
        """;

    [Fact]
    public void AnAppOutsideTheRepositoryThatReferencesTheProjectLoadsTorchSharpAndEmbeds()
    {
        string root = Path.Combine(Path.GetTempPath(), "mlnetsiamese-outside-" + Guid.NewGuid().ToString("N"));
        string app = Path.Combine(root, "App"), cache = Path.Combine(root, "cache");
        Directory.CreateDirectory(app);
        try
        {
            string library = Path.Combine(SharedData.RepoRoot, "src", "MlNetSiamese.Training", "MlNetSiamese.Training.csproj");
            File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings><NoWarn>NU1603</NoWarn></PropertyGroup>
                  <ItemGroup><ProjectReference Include="{library}" /></ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
            var environment = new Dictionary<string, string> { [NativeLibraryFix.CacheVariable] = cache };

            var (code, output) = DotnetProcess.Run(app, 600, ["build", "-c", "Release", "-nologo", "-v", "q"], environment);
            Assert.True(code == 0, $"build failed ({code}):\n{output}");
            var (runCode, runOutput) = DotnetProcess.Run(app, 300, [Path.Combine("bin", "Release", "net10.0", "App.dll")], environment);
            Assert.True(runCode == 0, $"the app failed ({runCode}):\n{runOutput}");
            Assert.Contains("embedded 4 values, norm 1.0000", runOutput);

            string copy = Path.Combine(app, "bin", "Release", "net10.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            Assert.True(File.Exists(copy), $"missing {copy}");
            if (!ElfWeakVersion.HostProvides(NativeLibraryFix.Version, ElfWeakVersion.LibStdCxxPaths))
            {
                // The app's copy is the package's, untouched by any build step, and the run-time fix loaded a patched one.
                Assert.True(ElfWeakVersion.RequiresStrongly(copy, NativeLibraryFix.Version), "the app's copy was patched at build time; this test would prove nothing");
                var patched = Directory.GetFiles(cache, "libLibTorchSharp.so", SearchOption.AllDirectories);
                Assert.Single(patched);
                Assert.False(ElfWeakVersion.RequiresStrongly(patched[0], NativeLibraryFix.Version));
            }
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
