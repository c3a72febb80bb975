using System.Formats.Tar;
using System.IO.Compression;

namespace MlNetSiamese.Data;

/// <summary>Extracts the CIFAR-10 binary release from <c>cifar-10-binary.tar.gz</c> (System.Formats.Tar + GZipStream).</summary>
internal static class Cifar10Archive
{
    /// <summary>The members taken from the archive; anything else (readme.html, unexpected paths) is ignored.</summary>
    public static IReadOnlyList<string> Members { get; } = Cifar10BinaryReader.BatchFileNames(DataSplit.Train)
        .Concat(Cifar10BinaryReader.BatchFileNames(DataSplit.Test))
        .Append(Cifar10BinaryReader.MetaFileName)
        .ToArray();

    /// <summary>True when <paramref name="folder"/> holds every member.</summary>
    public static bool IsComplete(string folder) => Members.All(m => File.Exists(Path.Combine(folder, m)));

    /// <summary>
    /// Extracts the members into a temporary folder beside <paramref name="target"/>, checks that all are there and
    /// renames it to <paramref name="target"/>. Only regular files named exactly as expected, at the archive root or
    /// under <c>cifar-10-batches-bin/</c>, are written: no path from the archive is used as a path on disk.
    /// </summary>
    public static void Extract(string archivePath, string target)
    {
        string parent = Path.GetDirectoryName(Path.GetFullPath(target))!;
        string temp = Path.Combine(parent, $".{Path.GetFileName(target)}.extracting-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            try
            {
                ExtractMembers(archivePath, temp);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
            {
                throw new InvalidDataException($"'{archivePath}' is not a readable tar.gz archive: {e.Message}", e);
            }
            var missing = Members.Where(m => !File.Exists(Path.Combine(temp, m))).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"'{archivePath}' is not the CIFAR-10 binary release: missing {string.Join(", ", missing)}.");

            if (Directory.Exists(target))
                Directory.Delete(target, recursive: true);
            Directory.Move(temp, target);
        }
        finally
        {
            if (Directory.Exists(temp))
                Directory.Delete(temp, recursive: true);
        }
    }

    private static void ExtractMembers(string archivePath, string folder)
    {
        using var file = File.OpenRead(archivePath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        TarEntry? entry;
        while ((entry = tar.GetNextEntry()) != null)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                continue;
            string name = entry.Name.Replace('\\', '/');
            if (name.StartsWith("./", StringComparison.Ordinal))
                name = name[2..];
            string member = name.StartsWith(Cifar10BinaryReader.ArchiveFolderName + "/", StringComparison.Ordinal)
                ? name[(Cifar10BinaryReader.ArchiveFolderName.Length + 1)..]
                : name;
            // Only exact member names are written, under fixed names: no path from the archive reaches the disk.
            if (Members.Contains(member, StringComparer.Ordinal))
                entry.ExtractToFile(Path.Combine(folder, member), overwrite: true);
        }
    }
}
