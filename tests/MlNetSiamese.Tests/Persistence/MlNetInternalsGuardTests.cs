using System.Reflection;
using Microsoft.ML;
using Xunit;

namespace MlNetSiamese.Tests.Persistence;

/// <summary>
/// The library compiles against publicized copies of ML.NET's internal persistence API. If an ML.NET upgrade
/// renames or reshapes one of these members, this test names it before users meet a MissingMethodException.
/// </summary>
public class MlNetInternalsGuardTests
{
    private const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    [Theory]
    [InlineData("Microsoft.ML.ModelSaveContext", "SetVersionInfo", "CheckAtModel", "SaveBinaryStream", "SaveTextStream", "SaveNonEmptyString")]
    [InlineData("Microsoft.ML.ModelLoadContext", "CheckAtModel", "TryLoadBinaryStream", "TryLoadTextStream", "LoadNonEmptyString")]
    public void PersistenceMembersWeUseStillExist(string typeName, params string[] members)
    {
        var type = typeof(MLContext).Assembly.GetType(typeName) ?? typeof(IDataView).Assembly.GetType(typeName)
            ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t != null);
        Assert.True(type != null, $"{typeName} is gone from ML.NET");
        foreach (var m in members)
            Assert.True(type!.GetMember(m, Any).Length > 0, $"{typeName}.{m} is gone from ML.NET");
        var writer = type!.GetField("Writer", Any) ?? (MemberInfo?)type.GetField("Reader", Any);
        Assert.NotNull(writer);
    }

    [Fact]
    public void VersionInfoAndLoadableClassKeepTheirShape()
    {
        var core = typeof(ICanSaveModel).Assembly;
        var version = core.GetType("Microsoft.ML.VersionInfo");
        Assert.NotNull(version);
        Assert.Contains(version!.GetConstructors(Any), c => c.GetParameters().Select(p => p.Name).Take(6).SequenceEqual(
            new[] { "modelSignature", "verWrittenCur", "verReadableCur", "verWeCanReadBack", "loaderAssemblyName", "loaderSignature" }));
        var loadable = core.GetType("Microsoft.ML.LoadableClassAttribute");
        Assert.NotNull(loadable);
        // MlNetSiamese.Training declares the embedding's loader; the core the cosine-similarity and neighbour-search ones.
        Assert.Single(typeof(SiameseEmbeddingTransformer).Assembly.GetCustomAttributes(loadable!, false));
        Assert.Equal(2, typeof(CosineSimilarityTransformer).Assembly.GetCustomAttributes(loadable!, false).Length);
    }
}
