namespace MlNetSiamese.Search;

/// <summary>Bounded heap keeping the k best neighbours (score descending, id ascending); the worst kept one sits at the root.</summary>
internal sealed class TopK
{
    private readonly Neighbor[] _heap;
    private int _count;

    public TopK(int k) => _heap = new Neighbor[k];

    public int Count => _count;

    public void Offer(long id, float score)
    {
        var candidate = new Neighbor(id, score);
        if (_count < _heap.Length)
        {
            int i = _count++;
            _heap[i] = candidate;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (!_heap[parent].RanksBefore(_heap[i])) break; // root must be the worst
                (_heap[parent], _heap[i]) = (_heap[i], _heap[parent]);
                i = parent;
            }
        }
        else if (candidate.RanksBefore(_heap[0]))
        {
            _heap[0] = candidate;
            int i = 0;
            while (true)
            {
                int l = 2 * i + 1, r = l + 1, worst = i;
                if (l < _count && _heap[worst].RanksBefore(_heap[l])) worst = l;
                if (r < _count && _heap[worst].RanksBefore(_heap[r])) worst = r;
                if (worst == i) break;
                (_heap[worst], _heap[i]) = (_heap[i], _heap[worst]);
                i = worst;
            }
        }
    }

    /// <summary>Worst kept score, or -infinity while fewer than k are kept (a cheap pre-filter before <see cref="Offer"/>).</summary>
    public float Floor => _count < _heap.Length ? float.NegativeInfinity : _heap[0].Score;

    public void AddTo(List<Neighbor> target) => target.AddRange(_heap.AsSpan(0, _count));

    public static Neighbor[] Sorted(List<Neighbor> items, int k)
    {
        items.Sort((a, b) => a.RanksBefore(b) ? -1 : b.RanksBefore(a) ? 1 : 0);
        return items.Take(k).ToArray();
    }
}
