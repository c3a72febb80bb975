namespace MlNetSiamese.Evaluation;

/// <summary>Dense class indices 0..C-1 with a display name per class.</summary>
internal sealed class LabelEncoding
{
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly List<string> _names = new();

    public IReadOnlyList<string> Names => _names;

    public int Count => _names.Count;

    public int GetOrAdd(string name)
    {
        if (!_byName.TryGetValue(name, out int index))
        {
            index = _names.Count;
            _byName.Add(name, index);
            _names.Add(name);
        }
        return index;
    }

    public int[] Encode(ReadOnlySpan<int> labels)
    {
        var result = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
            result[i] = GetOrAdd(labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        return result;
    }
}
