namespace MlNetSiamese.Cli.Output;

/// <summary>
/// An --out folder checked before any work: it must not be a file and must be writable (a probe file is written and
/// deleted). A folder the command created is removed again when the command fails while it is still empty, so a
/// failed run leaves nothing behind.
/// </summary>
public sealed class OutputFolder
{
    private readonly bool created;

    public string Path { get; }

    private OutputFolder(string path, bool created) => (Path, this.created) = (path, created);

    public static OutputFolder Prepare(string path, string optionName = "--out")
    {
        if (File.Exists(path)) throw new UsageException($"{optionName} '{path}' is a file; it takes a folder for the results.");
        bool created = !Directory.Exists(path);
        try
        {
            Directory.CreateDirectory(path);
            string probe = System.IO.Path.Combine(path, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (created) TryRemoveEmpty(path);
            throw new UsageException($"{optionName} '{path}' cannot be written ({e.Message}). Pass a folder you can write to.");
        }
        return new OutputFolder(path, created);
    }

    /// <summary>After a failure: removes the folder if this command created it and nothing was written into it.</summary>
    public void RemoveIfEmpty()
    {
        if (created) TryRemoveEmpty(Path);
    }

    private static void TryRemoveEmpty(string path)
    {
        try { if (Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any()) Directory.Delete(path); }
        catch (IOException) { }
    }
}
