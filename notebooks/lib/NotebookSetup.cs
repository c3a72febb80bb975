using System.Reflection;

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
}
