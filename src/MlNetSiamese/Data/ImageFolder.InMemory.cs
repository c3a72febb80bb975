using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace MlNetSiamese;

public static partial class ImageFolder
{
    /// <summary>
    /// Lists <paramref name="root"/> and decodes every image once, through the same ImageAnalytics chain as
    /// <see cref="CreatePixelPipeline"/> (with byte output), into one compact byte array: the result holds
    /// <c>channels x height x width</c> bytes per image (CIFAR-10 train at 32x32 RGB: 50,000 x 3072 = 154 MB),
    /// and converts to 0..1 floats only when a row is read.
    /// </summary>
    /// <remarks>
    /// Images of any size are resized to <paramref name="width"/> x <paramref name="height"/> (smaller ones are
    /// enlarged). A file that cannot be decoded is an <see cref="InvalidDataException"/> naming it; with
    /// <paramref name="skipUnreadable"/> it is left out instead, listed in
    /// <see cref="InMemoryImageDataView.SkippedFiles"/>, and one line giving the count is written to
    /// <paramref name="log"/> (standard error when null) at the end.
    /// </remarks>
    /// <param name="root">The root folder; each sub-folder is a class.</param>
    /// <param name="width">Output width in pixels.</param>
    /// <param name="height">Output height in pixels.</param>
    /// <param name="grayscale">True for one grey channel, false for RGB.</param>
    /// <param name="skipUnreadable">Skip (and count) non-image or undecodable files instead of failing.</param>
    /// <param name="minClasses">Least number of classes accepted.</param>
    /// <param name="resizing">How to resize (see <see cref="CreatePixelPipeline"/>).</param>
    /// <param name="log">Receives the skipped-files line; null writes it to standard error.</param>
    /// <param name="maxDegreeOfParallelism">Decoding threads; 0 uses all processors.</param>
    public static InMemoryImageDataView LoadInMemory(string root, int width, int height, bool grayscale = false,
        bool skipUnreadable = false, int minClasses = 2,
        ImageResizingEstimator.ResizingKind resizing = ImageResizingEstimator.ResizingKind.IsoCrop,
        Action<string>? log = null, int maxDegreeOfParallelism = 0)
        => LoadInMemory(List(root, skipUnreadable, minClasses), width, height, grayscale, skipUnreadable, minClasses, resizing, log, maxDegreeOfParallelism);

    /// <summary>Decodes the images of <paramref name="listing"/> (e.g. a <see cref="ImageFolderListing.Sample"/> or one
    /// side of a <see cref="ImageFolderListing.Split"/>) like <see cref="LoadInMemory(string, int, int, bool, bool, int, ImageResizingEstimator.ResizingKind, Action{string}?, int)"/>;
    /// label ids follow <see cref="ImageFolderListing.ClassNames"/>.</summary>
    /// <param name="listing">The images to decode.</param>
    /// <param name="width">Output width in pixels.</param>
    /// <param name="height">Output height in pixels.</param>
    /// <param name="grayscale">True for one grey channel, false for RGB.</param>
    /// <param name="skipUnreadable">Skip (and count) undecodable files instead of failing.</param>
    /// <param name="minClasses">Least number of classes accepted among the decoded images.</param>
    /// <param name="resizing">How to resize.</param>
    /// <param name="log">Receives the skipped-files line; null writes it to standard error.</param>
    /// <param name="maxDegreeOfParallelism">Decoding threads; 0 uses all processors.</param>
    public static InMemoryImageDataView LoadInMemory(ImageFolderListing listing, int width, int height, bool grayscale = false,
        bool skipUnreadable = false, int minClasses = 2,
        ImageResizingEstimator.ResizingKind resizing = ImageResizingEstimator.ResizingKind.IsoCrop,
        Action<string>? log = null, int maxDegreeOfParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(listing);
        var entries = listing.Entries;
        int channels = grayscale ? 1 : 3;
        int length = checked(channels * width * height);
        if ((long)entries.Count * length > Array.MaxLength)
            throw new InvalidOperationException($"{entries.Count} images of {channels}x{height}x{width} are too many to hold in one array.");

        var classIndex = listing.ClassNames.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var pixels = new byte[(long)entries.Count * length];
        var failed = new Exception?[entries.Count];

        var ml = new MLContext(seed: 0);
        var pipeline = CreatePipeline(ml.Transforms, width, height, grayscale, null, ImagePathColumnName,
            InMemoryImageDataView.FeaturesColumnName, resizing, asFloat: false);
        var transformer = pipeline.Fit(ml.Data.LoadFromEnumerable(entries.Take(1)));

        int workers = Math.Max(1, Math.Min(maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount, entries.Count));
        int chunk = (entries.Count + workers - 1) / workers;
        try
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                int start = w * chunk, end = Math.Min(entries.Count, start + chunk);
                if (start < end)
                    Decode(ml, transformer, entries, start, end, length, pixels, failed, skipUnreadable);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            throw e.InnerExceptions.OrderBy(x => x.Data["row"] as int? ?? int.MaxValue).First();
        }

        // Compact in place: rows that failed are dropped; kept rows move down.
        var skipped = new List<string>(listing.SkippedFiles);
        var labels = new List<int>(entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            if (failed[i] != null)
            {
                skipped.Add(entries[i].ImagePath);
                continue;
            }
            if (labels.Count != i)
                Buffer.BlockCopy(pixels, i * length, pixels, labels.Count * length, length);
            labels.Add(classIndex[entries[i].Label]);
        }

        var keptClasses = labels.Distinct().Count();
        if (labels.Count == 0 || keptClasses < minClasses)
            throw new InvalidDataException(
                $"Image folder '{listing.Root}': after skipping {skipped.Count} unreadable file(s), {labels.Count} image(s) in {keptClasses} class(es) remain; at least {minClasses} classes are needed.");
        if (skipped.Count > 0)
        {
            string first = string.Join(", ", skipped.Take(3).Select(f => $"'{f}'")) + (skipped.Count > 3 ? ", ..." : "");
            string line = $"MlNetSiamese: skipped {skipped.Count} unreadable file(s) under '{listing.Root}' ({first}); loaded {labels.Count} image(s).";
            (log ?? Console.Error.WriteLine)(line);
        }
        return new InMemoryImageDataView(pixels, labels.ToArray(), listing.ClassNames, channels, height, width, skipped);
    }

    private static void Decode(MLContext ml, ITransformer transformer, IReadOnlyList<ImageFolderEntry> entries, int start, int end,
        int length, byte[] pixels, Exception?[] failed, bool skipUnreadable)
    {
        // A row-to-row mapper (not Transform + cursor): ML.NET would otherwise decode on its own worker threads,
        // where a bad file kills the whole cursor without saying which file it was. Here each getter call decodes
        // one image on this thread, so a failure belongs to a known row and the next row can go on.
        var input = ml.Data.LoadFromEnumerable(Slice(entries, start, end));
        var mapper = transformer.GetRowToRowMapper(input.Schema);
        var column = mapper.OutputSchema[InMemoryImageDataView.FeaturesColumnName];
        using var cursor = input.GetRowCursor(mapper.GetDependencies(new[] { column }));
        using var mapped = mapper.GetRow(cursor, new[] { column });
        var getter = mapped.GetGetter<VBuffer<byte>>(column);
        VBuffer<byte> buffer = default;
        for (int row = start; row < end; row++)
        {
            if (!cursor.MoveNext())
                throw new InvalidOperationException($"The image pipeline ended after {row - start} of {end - start} rows.");
            try
            {
                getter(ref buffer);
                var values = buffer.GetValues();
                if (values.Length != length)
                    throw new InvalidDataException($"decoded to {values.Length} values instead of {length}");
                values.CopyTo(pixels.AsSpan(row * length, length));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!skipUnreadable)
                {
                    var error = new InvalidDataException(
                        $"Cannot read image '{entries[row].ImagePath}': {e.Message}. Remove or fix the file, or ask to skip unreadable files.", e);
                    error.Data["row"] = row;
                    throw error;
                }
                failed[row] = e;
            }
        }
    }

    private static IEnumerable<ImageFolderEntry> Slice(IReadOnlyList<ImageFolderEntry> entries, int start, int end)
    {
        for (int i = start; i < end; i++)
            yield return entries[i];
    }
}
