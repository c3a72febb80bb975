using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using MlNetSiamese.Build;

namespace MlNetSiamese.Torch;

/// <summary>
/// Makes TorchSharp's native library load on Linux hosts whose libstdc++ is older than the one it was linked with,
/// for every consumer of this assembly, whatever built it. TorchSharp 0.107's <c>libLibTorchSharp.so</c> requires
/// GLIBCXX_3.4.32 for one symbol nothing calls; Debian 12 and Ubuntu 22.04 stop at 3.4.30, and the loader refuses
/// the library. The build-time step (build/NativeFix.targets) patches the copies that this repository's builds and
/// the package's buildTransitive targets write; an app that references the project from elsewhere, a tool packed on
/// another machine, or a notebook gets an unpatched copy, and this class covers them.
/// Once per process, before any TorchSharp call of this assembly (a module initializer), and only when needed (the
/// library that TorchSharp will load requires the version strongly and the host's libstdc++ lacks it): a copy with
/// that one requirement made weak goes into a per-user cache folder next to symbolic links to the libtorch libraries
/// of the app's own folder, and is loaded from there. TorchSharp's own load of the library then finds the loaded one
/// (same soname), and libtorch's libraries are the app's files (the links lead to them, so they are not loaded twice).
/// The cache is <c>$MLNETSIAMESE_NATIVE_CACHE</c>, else <c>$XDG_CACHE_HOME/mlnet-siamese/native</c>, else
/// <c>~/.cache/mlnet-siamese/native</c>, else the temporary folder; a folder per library file, made atomically.
/// An app that uses TorchSharp before it touches this library has to do the same itself.
/// </summary>
internal static class NativeLibraryFix
{
    public const string Version = "GLIBCXX_3.4.32";
    public const string CacheVariable = "MLNETSIAMESE_NATIVE_CACHE";
    private const string Library = "libLibTorchSharp.so";

    /// <summary>The copy that was loaded, or null when none was needed.</summary>
    public static string? PatchedCopy { get; private set; }

    /// <summary>Why the fix was needed and failed (null otherwise); <see cref="ThrowIfFailed"/> reports it.</summary>
    public static string? Failure { get; private set; }

#pragma warning disable CA2255   // a library's module initializer: it must run before TorchSharp's type initializer
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            var (library, libtorch) = FindNativeFolders();
            if (library == null || !ElfWeakVersion.RequiresStrongly(library, Version) || HostProvides()) return;
            PatchedCopy = MakePatchedCopy(library, libtorch ?? Path.GetDirectoryName(library)!);
            NativeLibrary.Load(PatchedCopy);
        }
        catch (Exception e)
        {
            Failure = $"TorchSharp's {Library} requires {Version}, which this host's libstdc++ lacks, and MlNetSiamese could not " +
                $"load a copy with that requirement made weak: {e.GetType().Name}: {e.Message} Set {CacheVariable} to a writable folder, " +
                "or build the app with the MlNetSiamese package (its build step patches the copy in the output folder).";
            Console.Error.WriteLine($"MlNetSiamese: {Failure}");
        }
    }

    /// <summary>Throws <see cref="DllNotFoundException"/> with <see cref="Failure"/> when the fix was needed and failed.</summary>
    public static void ThrowIfFailed()
    {
        if (Failure != null) throw new DllNotFoundException(Failure);
    }

    /// <summary>
    /// The <c>libLibTorchSharp.so</c> that TorchSharp's load will find and the folder of the <c>libtorch_cpu.so</c> it
    /// loads first: the first of each in the app's native search folders, else beside TorchSharp's assembly.
    /// </summary>
    private static (string? Library, string? Libtorch) FindNativeFolders()
    {
        var folders = ((AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
        if (Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location) is { Length: > 0 } torchSharp)
            folders.AddRange([torchSharp, Path.Combine(torchSharp, "runtimes", "linux-x64", "native")]);
        string? First(string file) => folders.Select(f => Path.Combine(f, file)).FirstOrDefault(File.Exists);
        return (First(Library), First("libtorch_cpu.so") is { } cpu ? Path.GetDirectoryName(cpu) : null);
    }

    /// <summary>Whether the libstdc++ this process has loaded (or else the system's) provides <see cref="Version"/>.</summary>
    private static bool HostProvides()
    {
        var loaded = File.ReadLines("/proc/self/maps").Select(l => l.IndexOf('/') is int i and >= 0 ? l[i..] : "")
            .Where(p => Path.GetFileName(p).StartsWith("libstdc++.so", StringComparison.Ordinal)).Distinct().ToArray();
        return ElfWeakVersion.HostProvides(Version, loaded.Length > 0 ? loaded : ElfWeakVersion.LibStdCxxPaths);
    }

    /// <summary>
    /// The cache folder for this library file (made if missing): the patched copy plus links to every other file of
    /// the folders of <paramref name="library"/> and <paramref name="libtorchFolder"/>. Made in a temporary folder
    /// and renamed into place, so a half-made folder is never used; a concurrent process's result is taken as is.
    /// </summary>
    private static string MakePatchedCopy(string library, string libtorchFolder)
    {
        var info = new FileInfo(library);
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}|{Path.GetFullPath(libtorchFolder)}")))[..16].ToLowerInvariant();
        string root = CacheRoot();
        string folder = Path.Combine(root, key), copy = Path.Combine(folder, Library);
        if (File.Exists(copy) && !ElfWeakVersion.RequiresStrongly(copy, Version)) return copy;

        Directory.CreateDirectory(root);
        string building = Path.Combine(root, $"{key}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(building);
        try
        {
            File.Copy(library, Path.Combine(building, Library));
            ElfWeakVersion.MakeWeak(Path.Combine(building, Library), Version);
            foreach (var source in new[] { Path.GetDirectoryName(info.FullName)!, libtorchFolder }.Distinct())
                foreach (var file in Directory.EnumerateFiles(source))
                {
                    string link = Path.Combine(building, Path.GetFileName(file));
                    if (!File.Exists(link)) File.CreateSymbolicLink(link, Path.GetFullPath(file));
                }
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);   // left damaged by an earlier crash
            Directory.Move(building, folder);
        }
        catch (IOException) when (File.Exists(copy) && !ElfWeakVersion.RequiresStrongly(copy, Version))
        {
            // Another process made it first.
        }
        finally
        {
            if (Directory.Exists(building)) Directory.Delete(building, recursive: true);
        }
        return copy;
    }

    private static string CacheRoot()
    {
        static string? Usable(string? path)
        {
            if (string.IsNullOrWhiteSpace(path)) return null;
            try { Directory.CreateDirectory(path); return path; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        }
        string? explicitRoot = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(explicitRoot)) return Usable(explicitRoot) ?? throw new IOException($"{CacheVariable}={explicitRoot} is not a writable folder.");
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Usable(string.IsNullOrWhiteSpace(xdg) ? null : Path.Combine(xdg, "mlnet-siamese", "native"))
            ?? Usable(string.IsNullOrWhiteSpace(home) ? null : Path.Combine(home, ".cache", "mlnet-siamese", "native"))
            ?? Usable(Path.Combine(Path.GetTempPath(), $"mlnet-siamese-native-{Environment.UserName}"))
            ?? throw new IOException("no writable cache folder (tried XDG_CACHE_HOME, ~/.cache and the temporary folder).");
    }
}
