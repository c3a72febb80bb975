using System.Reflection;
using System.Runtime.Loader;

namespace MlNetSiamese.Notebooks;

/// <summary>What a .NET Interactive kernel needs before the notebooks can use MlNetSiamese (first cell of each notebook).</summary>
public static class NotebookSetup
{
    /// <summary>
    /// Checks that TorchSharp uses the libtorch next to TorchSharp.dll (the TorchSharp-cpu 2.10 build), not another one on
    /// the system library path such as Debian's python3-torch 1.13: loads libtorch, reads /proc/self/maps, throws if any
    /// mapped libtorch*.so lies outside that folder.
    /// </summary>
    /// <returns>The mapped libtorch files.</returns>
    public static IReadOnlyList<string> CheckLibTorch()
    {
        using (var probe = TorchSharp.torch.zeros(1)) { }
        string folder = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location)! + "/";
        var mapped = File.ReadLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && Path.GetFileName(f[5]).StartsWith("libtorch", StringComparison.Ordinal))
            .Select(f => f[5]).Distinct().ToList();
        if (mapped.Count == 0 || mapped.Any(p => !p.StartsWith(folder, StringComparison.Ordinal)))
            throw new InvalidOperationException($"TorchSharp must use the libtorch in {folder}, but the mapped libtorch files are: {string.Join(", ", mapped)}");
        return mapped;
    }

    /// <summary>
    /// Lets <c>mlContext.Model.Load</c> find MlNetSiamese inside the kernel. A model names the assembly of its
    /// transformers without a version ("MlNetSiamese"), and ML.NET calls <c>Assembly.Load</c> with that name. The
    /// kernel's script loader (Roslyn's InteractiveAssemblyLoader) compares versions, sees 0.0.0.0 against the loaded
    /// 1.0.0.0 and refuses to load "a different assembly with the same name" instead of returning the loaded one.
    /// This puts a handler in front of the loader's own in every assembly load context of the kernel that returns the
    /// already loaded assembly when the request names no version. Ordinary apps do not need it.
    /// </summary>
    public static void AllowModelLoading()
    {
        _ = typeof(Microsoft.ML.MLContext).Assembly;   // the ML.NET contexts exist from here on
        _ = typeof(SiameseEmbeddingTransformer).Assembly;
        var field = typeof(AssemblyLoadContext).GetField("_resolving", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("AssemblyLoadContext._resolving not found: this runtime's loader differs; update NotebookSetup.AllowModelLoading.");
        foreach (var context in AssemblyLoadContext.All)
        {
            if (context == AssemblyLoadContext.Default) continue;
            var existing = (Func<AssemblyLoadContext, AssemblyName, Assembly?>?)field.GetValue(context);
            if (existing?.GetInvocationList().Any(d => d.Method == ((Delegate)ReturnLoaded).Method) == true) continue;
            field.SetValue(context, (Func<AssemblyLoadContext, AssemblyName, Assembly?>)ReturnLoaded + existing);
        }
    }

    /// <summary>An HTML table of the public properties of <paramref name="rows"/> (doubles with 3 decimals), for <c>display(HTML(...))</c>.</summary>
    public static string HtmlTable<T>(IEnumerable<T> rows)
    {
        var props = typeof(T).GetProperties(BindingFlags.Instance | BindingFlags.Public);
        var html = new System.Text.StringBuilder("<table><thead><tr>");
        foreach (var p in props) html.Append("<th>").Append(System.Net.WebUtility.HtmlEncode(p.Name)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var p in props)
            {
                string text = p.GetValue(row) switch
                {
                    double d => d.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
                    float f => f.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
                    null => "",
                    var o => o.ToString() ?? "",
                };
                html.Append("<td>").Append(System.Net.WebUtility.HtmlEncode(text)).Append("</td>");
            }
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    private static Assembly? ReturnLoaded(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Version is not null) return null;
        return AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => string.Equals(a.GetName().Name, name.Name, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(a => a.GetName().Version).FirstOrDefault();
    }
}
