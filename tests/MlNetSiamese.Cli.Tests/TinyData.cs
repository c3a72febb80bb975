using System.Buffers.Binary;
using SkiaSharp;

namespace MlNetSiamese.Cli.Tests;

/// <summary>Tiny generated data sets: 3 classes of 28x28 grey images (stripes, columns, checkers) with noise.</summary>
public static class TinyData
{
    public const int Size = 28, Classes = 3;

    public static byte[] Image(int cls, Random rng)
    {
        var px = new byte[Size * Size];
        int phase = rng.Next(4);
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                bool on = cls switch
                {
                    0 => (y + phase) / 4 % 2 == 0,
                    1 => (x + phase) / 4 % 2 == 0,
                    _ => ((x + phase) / 4 + (y + phase) / 4) % 2 == 0,
                };
                px[y * Size + x] = (byte)Math.Clamp((on ? 200 : 40) + rng.Next(-30, 31), 0, 255);
            }
        return px;
    }

    /// <summary>Writes Fashion-MNIST-named idx files (not gzipped) into <paramref name="dir"/>.</summary>
    public static void WriteIdx(string dir, int train = 60, int test = 30, int seed = 1)
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(seed);
        WriteSplit(Path.Combine(dir, "train-images-idx3-ubyte"), Path.Combine(dir, "train-labels-idx1-ubyte"), train, rng);
        WriteSplit(Path.Combine(dir, "t10k-images-idx3-ubyte"), Path.Combine(dir, "t10k-labels-idx1-ubyte"), test, rng);
    }

    private static void WriteSplit(string images, string labels, int count, Random rng)
    {
        using (var f = File.Create(images))
        {
            Span<byte> h = stackalloc byte[16];
            BinaryPrimitives.WriteInt32BigEndian(h, 0x803);
            BinaryPrimitives.WriteInt32BigEndian(h[4..], count);
            BinaryPrimitives.WriteInt32BigEndian(h[8..], Size);
            BinaryPrimitives.WriteInt32BigEndian(h[12..], Size);
            f.Write(h);
            for (int i = 0; i < count; i++) f.Write(Image(i % Classes, rng));
        }
        using (var f = File.Create(labels))
        {
            Span<byte> h = stackalloc byte[8];
            BinaryPrimitives.WriteInt32BigEndian(h, 0x801);
            BinaryPrimitives.WriteInt32BigEndian(h[4..], count);
            f.Write(h);
            for (int i = 0; i < count; i++) f.WriteByte((byte)(i % Classes));
        }
    }

    /// <summary>Writes class folders root/class{c}/img{i}.png.</summary>
    public static void WritePngFolder(string root, int perClass = 8, int seed = 2, int classes = Classes)
    {
        var rng = new Random(seed);
        for (int c = 0; c < classes; c++)
        {
            string dir = Path.Combine(root, $"class{c}");
            Directory.CreateDirectory(dir);
            for (int i = 0; i < perClass; i++)
            {
                var px = Image(c, rng);
                using var bmp = new SKBitmap(Size, Size, SKColorType.Rgba8888, SKAlphaType.Opaque);
                for (int y = 0; y < Size; y++)
                    for (int x = 0; x < Size; x++) { byte v = px[y * Size + x]; bmp.SetPixel(x, y, new SKColor(v, v, v)); }
                using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(dir, $"img{i}.png"), data.ToArray());
            }
        }
    }
}
