namespace MlNetSiamese.Training;

/// <summary>
/// The whole training data in two flat arrays, read once from the IDataView: row-major features and 0-based class ids.
/// </summary>
internal sealed class TrainingSet
{
    public float[] Features { get; }
    public int[] Labels { get; }
    public int RowSize { get; }
    public int Count => Labels.Length;
    public int ClassCount { get; }

    public TrainingSet(float[] features, int[] labels, int rowSize)
    {
        if (features.Length != (long)labels.Length * rowSize) throw new ArgumentException("Features and labels disagree on the row count.");
        Features = features; Labels = labels; RowSize = rowSize;
        ClassCount = labels.Length == 0 ? 0 : labels.Max() + 1;
    }

    /// <summary>Row indices per class id.</summary>
    public int[][] IndicesByClass()
    {
        var lists = Enumerable.Range(0, ClassCount).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < Labels.Length; i++) lists[Labels[i]].Add(i);
        return lists.Select(l => l.ToArray()).ToArray();
    }

    /// <summary>Copies the listed rows into a new set (used for the train/validation split).</summary>
    public TrainingSet Subset(IReadOnlyList<int> rows)
    {
        var f = new float[(long)rows.Count * RowSize];
        var l = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            Array.Copy(Features, (long)rows[i] * RowSize, f, (long)i * RowSize, RowSize);
            l[i] = Labels[rows[i]];
        }
        return new TrainingSet(f, l, RowSize);
    }
}
