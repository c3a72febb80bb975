namespace MlNetSiamese.Tests.Data;

/// <summary>Locates the shared, read-only data sets (<c>../shared/data</c> beside the repository root).</summary>
public static class SharedData
{
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "MlNetSiamese.sln")))
                dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("MlNetSiamese.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The CIFAR-10 JPEG folders (<c>train|test/&lt;class&gt;/NNNN.jpg</c>).</summary>
    public static string Cifar10Jpeg => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", "cifar10"));

    public static bool IsCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
}
