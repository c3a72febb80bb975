namespace MlNetSiamese.Losses;

/// <summary>Index triplets (anchor, positive, negative) into a batch; the three arrays have the same length.</summary>
internal sealed record Triplets(long[] Anchors, long[] Positives, long[] Negatives)
{
    public int Count => Anchors.Length;

    public static Triplets Empty { get; } = new(Array.Empty<long>(), Array.Empty<long>(), Array.Empty<long>());

    public static Triplets From(List<(int A, int P, int N)> list) =>
        new(list.Select(t => (long)t.A).ToArray(), list.Select(t => (long)t.P).ToArray(), list.Select(t => (long)t.N).ToArray());
}
