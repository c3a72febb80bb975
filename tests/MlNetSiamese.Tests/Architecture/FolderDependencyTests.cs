using System.Text.RegularExpressions;
using MlNetSiamese.Tests.Data;
using Xunit;
using Xunit.Abstractions;

namespace MlNetSiamese.Tests.Architecture;

/// <summary>
/// The folders of src/MlNetSiamese and src/MlNetSiamese.Training depend on each other one way only, and no folder of
/// the TorchSharp-free core depends on one of MlNetSiamese.Training. The graph is computed from the code: a folder
/// depends on another when a file of it names a type declared there (comments and string literals left out). Folders
/// are named "Project/Folder".
/// </summary>
public class FolderDependencyTests(ITestOutputHelper output)
{
    // Top-level declarations (nested types are private detail); identifiers that are not a member access.
    private static readonly Regex Declaration = new(@"^(?:\w+ )*(?:class|struct|interface|enum|record)\s+([A-Z]\w*)", RegexOptions.Compiled | RegexOptions.Multiline);
    private static readonly Regex Identifier = new(@"(?<![.\w])[A-Z]\w*\b", RegexOptions.Compiled);
    private static readonly Regex CommentsAndStrings = new(@"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|\$?""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\])'", RegexOptions.Compiled | RegexOptions.Singleline);

    private static readonly string[] Projects = ["MlNetSiamese", "MlNetSiamese.Training"];

    /// <summary>Folder -> the folders it depends on, each with one file and type that makes the edge.</summary>
    internal static Dictionary<string, Dictionary<string, string>> Graph()
    {
        var files = Projects.SelectMany(project =>
            {
                string root = Path.Combine(SharedData.RepoRoot, "src", project);
                return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                    .Select(f => Path.GetRelativePath(root, f))
                    .Where(f => f.Contains(Path.DirectorySeparatorChar) && !f.StartsWith("obj") && !f.StartsWith("bin"))
                    .Select(f => (Folder: project + "/" + f.Split(Path.DirectorySeparatorChar)[0], File: project + "/" + f,
                        Code: CommentsAndStrings.Replace(File.ReadAllText(Path.Combine(root, f)), " ")));
            })
            .ToList();
        var declaredIn = files.SelectMany(f => Declaration.Matches(f.Code).Select(m => (Type: m.Groups[1].Value, f.Folder)))
            .GroupBy(d => d.Type).Where(g => g.Select(d => d.Folder).Distinct().Count() == 1).ToDictionary(g => g.Key, g => g.First().Folder);
        var graph = files.Select(f => f.Folder).Distinct().ToDictionary(f => f, _ => new Dictionary<string, string>());
        foreach (var (folder, file, code) in files)
            foreach (Match m in Identifier.Matches(code))
                if (declaredIn.TryGetValue(m.Value, out var other) && other != folder)
                    graph[folder].TryAdd(other, $"{file} uses {m.Value}");
        return graph;
    }

    [Fact]
    public void TheFolderGraphHasNoCycle()
    {
        var graph = Graph();
        foreach (var (folder, uses) in graph.OrderBy(g => g.Key))
            output.WriteLine($"{folder} -> {string.Join(", ", uses.Keys.Order())}");
        Assert.True(graph.Count >= 15, $"only {graph.Count} folders found");
        var intoTraining = graph.Where(g => g.Key.StartsWith("MlNetSiamese/", StringComparison.Ordinal))
            .SelectMany(g => g.Value.Where(e => e.Key.StartsWith("MlNetSiamese.Training/", StringComparison.Ordinal)).Select(e => $"{g.Key} -> {e.Key}: {e.Value}"))
            .ToList();
        Assert.True(intoTraining.Count == 0, "The core depends on MlNetSiamese.Training:\n" + string.Join("\n", intoTraining));
        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).ToList();
        Assert.True(cycles.Count == 0, "Folder cycles:\n" + string.Join("\n", cycles.Select(c =>
            string.Join(" <-> ", c) + ":\n  " + string.Join("\n  ", c.SelectMany(a => graph[a].Where(e => c.Contains(e.Key)).Select(e => $"{a} -> {e.Key}: {e.Value}"))))));
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var result = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            foreach (var w in graph[v].Keys)
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (stack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); component.Add(x); } while (x != v);
            result.Add(component);
        }
        foreach (var v in graph.Keys) if (!index.ContainsKey(v)) Visit(v);
        return result;
    }
}
