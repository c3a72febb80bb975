using MlNetSiamese.Evaluation;
using MlNetSiamese.Search;

namespace MlNetSiamese;

/// <summary>
/// Exact top-k cosine-similarity index over items with <see cref="long"/> ids. Vectors are L2-normalised on insertion;
/// queries are scored with SIMD dot products (System.Numerics.Tensors) on all cores. Results are ordered by score
/// descending, ties broken by the lower id. Reads (Search) may run concurrently; Add/Remove must not overlap any call.
/// </summary>
public sealed class CosineIndex
{
    private const int ParallelRowThreshold = 16_384;
    private const int ScoreBlockRows = 256;   // rows scored into a stack buffer before the top-k pass
    private float[] _vectors;
    private long[] _ids;
    private readonly Dictionary<long, int> _rowOf = new();

    /// <summary>Creates an empty index for vectors of <paramref name="dimension"/> values.</summary>
    public CosineIndex(int dimension)
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be at least 1.");
        Dimension = dimension;
        _vectors = new float[16 * dimension];
        _ids = new long[16];
    }

    /// <summary>Length of every vector.</summary>
    public int Dimension { get; }

    /// <summary>Number of items.</summary>
    public int Count { get; private set; }

    /// <summary>The ids in storage order (removal moves the last item into the freed slot).</summary>
    public IReadOnlyList<long> Ids => _ids.AsSpan(0, Count).ToArray();

    /// <summary>True when an item with <paramref name="id"/> is present.</summary>
    public bool Contains(long id) => _rowOf.ContainsKey(id);

    /// <summary>The stored (normalised) vector of <paramref name="id"/>.</summary>
    public float[] GetVector(long id)
    {
        if (!_rowOf.TryGetValue(id, out int row)) throw new KeyNotFoundException($"No item with id {id} in the index.");
        return _vectors.AsSpan(row * Dimension, Dimension).ToArray();
    }

    /// <summary>Adds one item.</summary>
    public void Add(long id, ReadOnlySpan<float> vector) => Add([id], vector);

    /// <summary>
    /// Adds items: <paramref name="vectors"/> is row-major, <see cref="Dimension"/> values per id. All-or-nothing:
    /// a duplicate id, a NaN/infinite value or a zero vector rejects the whole call.
    /// </summary>
    public void Add(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors)
    {
        if ((long)ids.Length * Dimension != vectors.Length)
            throw new ArgumentException($"'vectors' has {vectors.Length} values; expected {ids.Length} ids x dimension {Dimension} = {(long)ids.Length * Dimension}.", nameof(vectors));
        var seen = new HashSet<long>();
        foreach (long id in ids)
            if (_rowOf.ContainsKey(id) || !seen.Add(id))
                throw new ArgumentException($"Id {id} is already in the index (or repeated in 'ids'); ids must be unique.", nameof(ids));
        AddNormalized(ids, EmbeddingMath.NormalizeRows(vectors, Dimension, nameof(vectors)));
    }

    /// <summary>Adds rows already normalised and checked (ids unique, values finite, unit length).</summary>
    internal void AddNormalized(ReadOnlySpan<long> ids, ReadOnlySpan<float> normalized)
    {
        EnsureCapacity(Count + ids.Length);
        normalized.CopyTo(_vectors.AsSpan(Count * Dimension));
        for (int i = 0; i < ids.Length; i++)
        {
            _ids[Count + i] = ids[i];
            _rowOf[ids[i]] = Count + i;
        }
        Count += ids.Length;
    }

    /// <summary>Removes the item with <paramref name="id"/>; returns false when it is not present.</summary>
    public bool Remove(long id)
    {
        if (!_rowOf.Remove(id, out int row)) return false;
        int last = Count - 1;
        if (row != last)
        {
            _vectors.AsSpan(last * Dimension, Dimension).CopyTo(_vectors.AsSpan(row * Dimension, Dimension));
            _ids[row] = _ids[last];
            _rowOf[_ids[row]] = row;
        }
        Count--;
        return true;
    }

    /// <summary>The <paramref name="k"/> most similar items to <paramref name="query"/> (fewer when the index holds fewer).</summary>
    public Neighbor[] Search(ReadOnlySpan<float> query, int k)
    {
        CheckK(k);
        var q = NormalizeQuery(query, nameof(query), 0);
        int n = Count, chunks = ChunksFor(n);
        if (chunks == 1) return Scan(q, 0, n, k);
        var partial = new TopK[chunks];
        Parallel.For(0, chunks, c =>
        {
            int start = (int)((long)n * c / chunks), end = (int)((long)n * (c + 1) / chunks);
            partial[c] = ScanInto(q, start, end, k);
        });
        var merged = new List<Neighbor>(chunks * Math.Min(k, n));
        foreach (var p in partial) p.AddTo(merged);
        return TopK.Sorted(merged, k);
    }

    /// <summary>How many slices a single query's scan of <paramref name="rows"/> items is cut into, scanned in parallel and merged; 1 scans in one go.</summary>
    internal static int ChunksFor(int rows) => rows < ParallelRowThreshold ? 1
        : Math.Max(2, Math.Min(Environment.ProcessorCount * 4, (rows + ParallelRowThreshold / 4 - 1) / (ParallelRowThreshold / 4)));

    /// <summary>Searches many queries (row-major, <see cref="Dimension"/> values each) in parallel.</summary>
    public Neighbor[][] SearchBatch(ReadOnlySpan<float> queries, int k)
    {
        CheckK(k);
        if (queries.Length % Dimension != 0)
            throw new ArgumentException($"'queries' has {queries.Length} values, not a multiple of the index dimension {Dimension}.", nameof(queries));
        var normalized = EmbeddingMath.NormalizeRows(queries, Dimension, nameof(queries));
        int count = normalized.Length / Dimension;
        var results = new Neighbor[count][];
        Parallel.For(0, count, i => results[i] = Scan(normalized.AsSpan(i * Dimension, Dimension), 0, Count, k));
        return results;
    }

    /// <summary>Searches many queries given as separate vectors.</summary>
    public Neighbor[][] SearchBatch(IReadOnlyList<float[]> queries, int k)
    {
        ArgumentNullException.ThrowIfNull(queries);
        CheckK(k);
        var flat = new float[(long)queries.Count * Dimension];
        for (int i = 0; i < queries.Count; i++)
        {
            if (queries[i] is null || queries[i].Length != Dimension)
                throw new ArgumentException($"'queries' entry {i} has {queries[i]?.Length ?? 0} values; the index dimension is {Dimension}.", nameof(queries));
            queries[i].CopyTo(flat, i * Dimension);
        }
        return SearchBatch(flat, k);
    }

    /// <summary>Writes the index to <paramref name="path"/> atomically (temporary file in the same folder, then a move).</summary>
    public void Save(string path) => CosineIndexFile.Save(this, path);

    /// <summary>Writes the index in its file format to <paramref name="stream"/>.</summary>
    public void Save(Stream stream) => CosineIndexFile.Write(stream, Dimension, _ids.AsSpan(0, Count), _vectors.AsSpan(0, Count * Dimension));

    /// <summary>Reads an index file; a truncated or corrupted file raises <see cref="InvalidDataException"/> naming the file.</summary>
    public static CosineIndex Load(string path) => CosineIndexFile.Load(path);

    /// <summary>Reads an index from <paramref name="stream"/>; <paramref name="sourceName"/> names it in error messages.</summary>
    public static CosineIndex Load(Stream stream, string sourceName = "stream") => CosineIndexFile.Read(stream, sourceName);

    /// <summary>Builds an index from stored, already-normalised rows (used by the file reader).</summary>
    internal static CosineIndex FromNormalized(int dimension, long[] ids, float[] vectors)
    {
        var index = new CosineIndex(dimension) { _ids = ids, _vectors = vectors, Count = ids.Length };
        if (index._ids.Length == 0) { index._ids = new long[16]; index._vectors = new float[16 * dimension]; }
        for (int i = 0; i < ids.Length; i++)
            if (!index._rowOf.TryAdd(ids[i], i)) throw new ArgumentException($"Id {ids[i]} is repeated.", nameof(ids));
        return index;
    }

    private Neighbor[] Scan(ReadOnlySpan<float> query, int start, int end, int k)
    {
        var top = ScanInto(query, start, end, k);
        var list = new List<Neighbor>(top.Count);
        top.AddTo(list);
        return TopK.Sorted(list, k);
    }

    private TopK ScanInto(ReadOnlySpan<float> query, int start, int end, int k)
    {
        var top = new TopK(Math.Min(k, Math.Max(1, end - start)));
        Span<float> scores = stackalloc float[ScoreBlockRows];
        for (int block = start; block < end; block += ScoreBlockRows)
        {
            var s = scores[..Math.Min(ScoreBlockRows, end - block)];
            RowDots.Compute(query, _vectors, block, s);
            float floor = top.Floor;
            for (int i = 0; i < s.Length; i++)
                if (s[i] >= floor) { top.Offer(_ids[block + i], s[i]); floor = top.Floor; }
        }
        return top;
    }

    private float[] NormalizeQuery(ReadOnlySpan<float> query, string name, int row)
    {
        if (query.Length != Dimension)
            throw new ArgumentException($"'{name}' has {query.Length} values; the index dimension is {Dimension}.", name);
        var q = new float[Dimension];
        EmbeddingMath.NormalizeInto(query, q, name, row);
        return q;
    }

    private static void CheckK(int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
    }

    private void EnsureCapacity(int items)
    {
        if (items <= _ids.Length) return;
        int capacity = Math.Max(items, _ids.Length * 2);
        Array.Resize(ref _ids, capacity);
        Array.Resize(ref _vectors, checked(capacity * Dimension));
    }
}
