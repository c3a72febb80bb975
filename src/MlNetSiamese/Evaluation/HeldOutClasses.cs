namespace MlNetSiamese.Evaluation;

/// <summary>
/// Classes kept out of training, to measure a model on classes it has never seen (the metric-learning protocol of
/// Musgrave et al. 2020: train on some classes, retrieve among the others): named ones, or a seeded share of them.
/// </summary>
public static class HeldOutClasses
{
    /// <summary>The held-out classes among <paramref name="classNames"/>: <paramref name="names"/> when given, else a seeded <paramref name="fraction"/> (rounded, at least one).</summary>
    /// <exception cref="ArgumentException">An unknown name (the classes listed), or a choice that leaves fewer than two classes on either side.</exception>
    public static IReadOnlyList<string> Choose(IReadOnlyList<string> classNames, IReadOnlyList<string>? names, double? fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if ((names == null) == (fraction == null)) throw new ArgumentException("Name the held-out classes or give a fraction of them, not both or neither.", nameof(names));
        List<string> held;
        if (names != null)
        {
            foreach (var n in names)
                if (!classNames.Contains(n, StringComparer.Ordinal))
                    throw new ArgumentException($"Class '{n}' is not in the data; its classes are {string.Join(", ", classNames)}.", nameof(names));
            held = names.Distinct(StringComparer.Ordinal).ToList();
        }
        else
        {
            if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The held-out fraction must be in (0, 1).");
            var order = classNames.Order(StringComparer.Ordinal).ToArray();
            new Random(seed).Shuffle(order);
            held = order[..Math.Max(1, (int)Math.Round(order.Length * fraction.Value))].Order(StringComparer.Ordinal).ToList();
        }
        int kept = classNames.Distinct().Count() - held.Count;
        if (kept < 2) throw new ArgumentException($"Holding out {held.Count} of {classNames.Count} classes leaves {kept} to train on; training needs at least 2.", nameof(names));
        if (held.Count < 2) throw new ArgumentException($"Holding out {held.Count} class leaves nothing to tell apart among unseen classes; hold out at least 2.", nameof(names));
        return held;
    }
}
