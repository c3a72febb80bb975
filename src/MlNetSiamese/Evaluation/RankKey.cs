namespace MlNetSiamese.Evaluation;

/// <summary>
/// Packs (score, position) into a 64-bit key whose ascending order is score descending, then position ascending,
/// and selects/sorts the k smallest keys without a comparer.
/// </summary>
internal static class RankKey
{
    public static ulong Make(float score, int position)
    {
        uint bits = BitConverter.SingleToUInt32Bits(score + 0f); // + 0f turns -0 into +0
        uint ascending = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return ((ulong)~ascending << 32) | (uint)position;
    }

    public static int Position(ulong key) => (int)(uint)key;

    /// <summary>Reorders <paramref name="keys"/> so that its first <paramref name="k"/> entries are the k smallest, sorted.</summary>
    public static void SelectSmallestSorted(Span<ulong> keys, int k)
    {
        if (k <= 0) return;
        if (k < keys.Length) Select(keys, k);
        keys[..k].Sort();
    }

    // Quickselect (Hoare partition, median of three): afterwards keys[..k] hold the k smallest, in any order.
    private static void Select(Span<ulong> keys, int k)
    {
        int lo = 0, hi = keys.Length - 1;
        while (hi > lo)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (keys[mid] < keys[lo]) (keys[mid], keys[lo]) = (keys[lo], keys[mid]);
            if (keys[hi] < keys[lo]) (keys[hi], keys[lo]) = (keys[lo], keys[hi]);
            if (keys[hi] < keys[mid]) (keys[hi], keys[mid]) = (keys[mid], keys[hi]);
            ulong pivot = keys[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (keys[i] < pivot) i++;
                while (keys[j] > pivot) j--;
                if (i <= j) { (keys[i], keys[j]) = (keys[j], keys[i]); i++; j--; }
            }
            // [lo..j] <= pivot, [i..hi] >= pivot
            if (k - 1 <= j) hi = j;
            else if (k - 1 >= i) lo = i;
            else return;
        }
    }
}
