using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Data;

namespace MlNetSiamese;

/// <summary>
/// A compact, read-only <see cref="IDataView"/> over images held as one contiguous <see cref="byte"/> array of
/// pixels plus one class index per image. This is what the Fashion-MNIST, CIFAR-10 and in-memory image-folder
/// readers return.
/// </summary>
/// <remarks>
/// <para>Columns (the contract the Siamese encoder expects):</para>
/// <list type="bullet">
/// <item><description><c>Label</c>: text (<see cref="ReadOnlyMemory{T}"/> of <see cref="char"/>), the class name,
/// e.g. <c>"Ankle boot"</c>. The core pipeline maps it with <c>MapValueToKey("Label")</c>.</description></item>
/// <item><description><c>Features</c>: a fixed-size vector of <see cref="float"/> of length
/// <see cref="Channels"/> x <see cref="Height"/> x <see cref="Width"/>, planar CHW (all red values row by row,
/// then all green, then all blue; one plane for grey images), each value scaled to 0..1 as <c>byte * (1f / 255f)</c>
/// (the same arithmetic as ML.NET's <c>ExtractPixels(scaleImage: 1f / 255f)</c>).
/// Fashion-MNIST: 1x28x28 = 784 values; CIFAR-10: 3x32x32 = 3072 values.</description></item>
/// </list>
/// <para>Memory: one byte per pixel value (CIFAR-10 train, 50,000 x 3072 = 154 MB) plus one <see cref="int"/> per
/// image; floats are produced only in the cursor's getter, into the caller's reused buffer.</para>
/// <para>Cursors may shuffle (<see cref="CanShuffle"/> is true): when a <see cref="Random"/> is passed, rows come
/// in a permutation drawn from it. <see cref="GetRowCursorSet"/> returns a single cursor.</para>
/// </remarks>
public sealed class InMemoryImageDataView : IDataView
{
    /// <summary>Name of the class-name column.</summary>
    public const string LabelColumnName = "Label";

    /// <summary>Name of the pixel column.</summary>
    public const string FeaturesColumnName = "Features";

    /// <summary>The factor that maps a pixel byte to 0..1.</summary>
    public const float PixelScale = 1f / 255f;

    private readonly byte[] _pixels;
    private readonly int[] _labels;
    private readonly string[] _classNames;
    private readonly ReadOnlyMemory<char>[] _classNameMemory;

    /// <summary>Wraps pixels and labels without copying them.</summary>
    /// <param name="pixels">All images one after another, each <paramref name="channels"/> x <paramref name="height"/>
    /// x <paramref name="width"/> bytes in planar CHW order: at least one image size per label (bytes past the last
    /// image are ignored).</param>
    /// <param name="labels">The class index of each image (index into <paramref name="classNames"/>).</param>
    /// <param name="classNames">Class names, indexed by label.</param>
    /// <param name="channels">1 (grey) or 3 (RGB).</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="skippedFiles">Files a loader skipped (image folders read with skipping on); empty otherwise.</param>
    public InMemoryImageDataView(byte[] pixels, int[] labels, IReadOnlyList<string> classNames, int channels, int height, int width,
        IReadOnlyList<string>? skippedFiles = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(channels), $"Image shape {channels}x{height}x{width} must be positive.");
        long featureLength = (long)channels * height * width;
        if (featureLength > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(channels), $"Image shape {channels}x{height}x{width} is too large.");
        FeatureLength = (int)featureLength;
        if (pixels.LongLength < (long)labels.Length * FeatureLength)
            throw new ArgumentException($"Expected {labels.Length} x {FeatureLength} pixel bytes, got {pixels.LongLength}.", nameof(pixels));
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classNames.Count)
                throw new ArgumentException($"Label {labels[i]} of row {i} is out of range 0..{classNames.Count - 1}.", nameof(labels));
        }

        _pixels = pixels;
        _labels = labels;
        _classNames = classNames.ToArray();
        _classNameMemory = _classNames.Select(n => n.AsMemory()).ToArray();
        Channels = channels;
        Height = height;
        Width = width;
        SkippedFiles = skippedFiles ?? Array.Empty<string>();

        var builder = new DataViewSchema.Builder();
        builder.AddColumn(LabelColumnName, TextDataViewType.Instance);
        builder.AddColumn(FeaturesColumnName, new VectorDataViewType(NumberDataViewType.Single, FeatureLength));
        Schema = builder.ToSchema();
    }

    /// <summary>Number of images.</summary>
    public int Count => _labels.Length;

    /// <summary>Channels per image: 1 (grey) or 3 (RGB).</summary>
    public int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Length of the <c>Features</c> vector: <see cref="Channels"/> x <see cref="Height"/> x <see cref="Width"/>.</summary>
    public int FeatureLength { get; }

    /// <summary>Class names, indexed by label index.</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>Files that the loader skipped because they were not readable images (only image folders loaded with
    /// skipping on); empty for the other readers.</summary>
    public IReadOnlyList<string> SkippedFiles { get; }

    /// <summary>Number of bytes of pixels in use: <see cref="Count"/> x <see cref="FeatureLength"/>.</summary>
    public long PixelBytes => (long)Count * FeatureLength;

    /// <inheritdoc/>
    public bool CanShuffle => true;

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <summary>The class index of image <paramref name="row"/>.</summary>
    /// <param name="row">Row index, 0..<see cref="Count"/>-1.</param>
    public int GetLabelIndex(int row) => _labels[row];

    /// <summary>The class name of image <paramref name="row"/>.</summary>
    /// <param name="row">Row index, 0..<see cref="Count"/>-1.</param>
    public string GetLabel(int row) => _classNames[_labels[row]];

    /// <summary>The raw bytes (0..255, planar CHW) of image <paramref name="row"/>, without copying.</summary>
    /// <param name="row">Row index, 0..<see cref="Count"/>-1.</param>
    public ReadOnlySpan<byte> GetPixelBytes(int row)
    {
        if ((uint)row >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(row));
        return new ReadOnlySpan<byte>(_pixels, row * FeatureLength, FeatureLength);
    }

    /// <summary>Writes image <paramref name="row"/> as floats in 0..1 (planar CHW) into <paramref name="destination"/>.</summary>
    /// <param name="row">Row index, 0..<see cref="Count"/>-1.</param>
    /// <param name="destination">At least <see cref="FeatureLength"/> floats.</param>
    public void CopyFeatures(int row, Span<float> destination)
    {
        var source = GetPixelBytes(row);
        if (destination.Length < source.Length)
            throw new ArgumentException($"Destination holds {destination.Length} floats, need {source.Length}.", nameof(destination));
        for (int i = 0; i < source.Length; i++)
            destination[i] = source[i] * PixelScale;
    }

    /// <inheritdoc/>
    public long? GetRowCount() => Count;

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
            active[column.Index] = true;
        int[]? order = null;
        if (rand != null)
        {
            order = Enumerable.Range(0, Count).ToArray();
            rand.Shuffle(order);
        }
        return new InMemoryImageCursor(this, active, order);
    }

    /// <inheritdoc/>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };

    internal ReadOnlyMemory<char> GetLabelMemory(int row) => _classNameMemory[_labels[row]];
}
