using System.Reflection;
using Xunit;

namespace MlNetSiamese.Tests.Build;

public class PackageCompatibilityTests
{
    [Fact]
    public void MicrosoftMlTorchSharpBindsToTorchSharp0107()
    {
        // Microsoft.ML.TorchSharp 0.23.1 was compiled against TorchSharp 0.102.7; the build takes 0.107.0.
        var mlTorch = Assembly.Load("Microsoft.ML.TorchSharp");
        var reference = mlTorch.GetReferencedAssemblies().Single(a => a.Name == "TorchSharp");
        var loaded = typeof(TorchSharp.torch).Assembly.GetName();
        Assert.True(loaded.Version >= reference.Version, $"TorchSharp {loaded.Version} is older than the {reference.Version} Microsoft.ML.TorchSharp needs");
        Assert.Equal(0, loaded.Version!.Major);
        Assert.Equal(107, loaded.Version.Minor);
        // Every type of Microsoft.ML.TorchSharp resolves against the TorchSharp that is loaded.
        var types = mlTorch.GetTypes();
        Assert.Contains(types, t => t.Name == "TorchSharpCatalog");
    }
}
