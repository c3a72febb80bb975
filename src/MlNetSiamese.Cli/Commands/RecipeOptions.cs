using System.CommandLine;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Xml.Linq;

namespace MlNetSiamese.Cli.Commands;

/// <summary>
/// The train command's recipe options, generated from the public settable properties of
/// <see cref="SiameseEmbeddingOptions"/>' parts (<see cref="EncoderOptions"/>, <see cref="TripletObjectiveOptions"/>,
/// <see cref="TrainingRecipe"/>, <see cref="InferenceOptions"/>), so each is declared once, in the library: the name is
/// the property's in kebab case (or its <see cref="DisplayNameAttribute"/>), the help its XML documentation, the shown
/// default a fresh object's value. Numbers parse culture-invariantly. <c>--options FILE</c> reads a whole recipe as
/// JSON (the sections Encoder, Objective, Training, Inference; train's options.json is such a file).
/// </summary>
public sealed class RecipeOptions
{
    /// <summary>The parts of the options, by the section name their JSON and their errors use.</summary>
    public static readonly (string Section, Type Type, Func<SiameseEmbeddingOptions, object> Of)[] Sections =
    [
        ("Encoder", typeof(EncoderOptions), o => o.Encoder),
        ("Objective", typeof(TripletObjectiveOptions), o => o.Objective),
        ("Training", typeof(TrainingRecipe), o => o.Training),
        ("Inference", typeof(InferenceOptions), o => o.Inference),
    ];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    private readonly List<(Option<string> Option, string Section, PropertyInfo Property)> options = [];

    public RecipeOptions()
    {
        var docs = XmlDocs.For(typeof(EncoderOptions).Assembly);
        foreach (var (section, type, _) in Sections)
        {
            object defaults = Activator.CreateInstance(type)!;
            foreach (var property in Properties(type))
            {
                string help = docs.Summary(property);
                string shown = Format(property.GetValue(defaults));
                var option = new Option<string>("--" + CliName(property))
                {
                    Description = $"{help} [default: {shown}]",
                    HelpName = HelpName(property.PropertyType),
                };
                options.Add((option, section, property));
            }
        }
    }

    /// <summary>Every generated option.</summary>
    public IReadOnlyList<Option<string>> All => options.Select(o => o.Option).ToList();

    /// <summary>The options of a part: the public properties with a setter.</summary>
    public static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    /// <summary>The option name of a property: its <see cref="DisplayNameAttribute"/>, else its name in kebab case.</summary>
    public static string CliName(PropertyInfo property) =>
        property.GetCustomAttribute<DisplayNameAttribute>()?.DisplayName
        ?? string.Concat(property.Name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>Sets every option given on the command line, after the preset and <c>--options</c> file.</summary>
    public void Apply(ParseResult result, SiameseEmbeddingOptions target)
    {
        foreach (var (option, section, property) in options)
        {
            if (result.GetResult(option) is not { Implicit: false } || result.GetValue(option) is not { } text) continue;
            property.SetValue(Sections.Single(s => s.Section == section).Of(target), Parse(text, property.PropertyType, option.Name));
        }
    }

    /// <summary>Sets what a recipe file holds; an unknown section or field is an error naming it.</summary>
    public static void ApplyFile(string path, SiameseEmbeddingOptions target)
    {
        JsonObject root;
        try { root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new UsageException($"--options '{path}' must hold a JSON object."); }
        catch (JsonException e) { throw new UsageException($"--options '{path}' is not valid JSON: {e.Message}"); }
        catch (FileNotFoundException) { throw new UsageException($"--options '{path}' does not exist."); }
        if (root["recipe"] is JsonObject recorded) root = recorded;   // a run's options.json
        foreach (var (name, node) in root)
        {
            var section = Sections.FirstOrDefault(s => s.Section.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (section.Type == null) continue;   // train's options.json also records the data and preset
            if (node is not JsonObject fields) throw new UsageException($"--options '{path}': '{name}' must be an object.");
            foreach (var (field, value) in fields)
            {
                var property = Properties(section.Type).FirstOrDefault(p => p.Name.Equals(field, StringComparison.OrdinalIgnoreCase))
                    ?? throw new UsageException($"--options '{path}': {section.Section} has no setting '{field}'; it has {string.Join(", ", Properties(section.Type).Select(p => p.Name))}.");
                try { property.SetValue(section.Of(target), value.Deserialize(property.PropertyType, Json)); }
                catch (Exception e) when (e is JsonException or InvalidOperationException)
                {
                    throw new UsageException($"--options '{path}': {section.Section}.{property.Name} cannot be {value?.ToJsonString()}: {e.Message}");
                }
            }
        }
    }

    /// <summary>The recipe parts as JSON objects, by section (what options.json records and --options reads).</summary>
    public static Dictionary<string, JsonNode?> ToJson(SiameseEmbeddingOptions options) =>
        Sections.ToDictionary(s => s.Section, s => JsonSerializer.SerializeToNode(s.Of(options), s.Type, Json));

    private static object? Parse(string text, Type type, string name)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        var c = CultureInfo.InvariantCulture;
        try
        {
            if (target == typeof(int[])) return text.Length == 0 ? null : text.Split(',', StringSplitOptions.TrimEntries).Select(w => int.Parse(w, NumberStyles.Integer, c)).ToArray();
            if (target == typeof(int)) return int.Parse(text, NumberStyles.Integer, c);
            if (target == typeof(float)) return float.Parse(text, NumberStyles.Float, c);
            if (target == typeof(bool)) return bool.Parse(text);
            if (target == typeof(string)) return text;
            if (target.IsEnum) return Enum.GetNames(target).FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is { } n ? Enum.Parse(target, n) : throw new FormatException();
        }
        catch (Exception e) when (e is FormatException or OverflowException) { }
        throw new UsageException($"{name} takes {Expected(target)}; got '{text}'.");
    }

    private static string Expected(Type t) =>
        t == typeof(int[]) ? "comma-separated whole numbers such as 32,64,128" : t == typeof(int) ? "a whole number" :
        t == typeof(float) ? "a number with a dot for decimals, such as 0.001" : t == typeof(bool) ? "true or false" :
        t.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(t))}" : "text";

    private static string HelpName(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(int[]) ? "widths" : t == typeof(float) ? "number" : t == typeof(int) ? "integer" : t == typeof(bool) ? "true|false" : t.IsEnum ? string.Join("|", Enum.GetNames(t)) : "text";
    }

    private static string Format(object? value) => value switch
    {
        null => "none",
        int[] a => string.Join(",", a),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>The one-line summaries of an assembly's XML documentation file, when it is beside the assembly.</summary>
    private sealed class XmlDocs(Dictionary<string, string> summaries)
    {
        public static XmlDocs For(Assembly assembly)
        {
            string file = Path.ChangeExtension(assembly.Location, ".xml");
            if (!File.Exists(file)) return new([]);
            return new(XDocument.Load(file).Descendants("member")
                .Where(m => m.Attribute("name")?.Value.StartsWith("P:") == true && m.Element("summary") != null)
                .ToDictionary(m => m.Attribute("name")!.Value, m => Text(m.Element("summary")!)));
        }

        public string Summary(PropertyInfo p) => summaries.GetValueOrDefault($"P:{p.DeclaringType!.FullName}.{p.Name}", p.Name);

        private static string Text(XElement summary) => string.Join(" ", string.Concat(summary.Nodes().Select(n => n switch
        {
            XElement { Name.LocalName: "see" } e => (e.Attribute("cref")?.Value ?? e.Attribute("langword")?.Value ?? "").Split('.').Last(),
            XElement e => e.Value,
            XText t => t.Value,
            _ => "",
        })).Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
    }
}
