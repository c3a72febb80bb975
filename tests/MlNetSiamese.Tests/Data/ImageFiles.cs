using SkiaSharp;

namespace MlNetSiamese.Tests.Data;

/// <summary>Encodes small PNG/JPEG files for the tests (SkiaSharp 2.88, already a dependency of ImageAnalytics).</summary>
public static class ImageFiles
{
    public static string Write(string path, int width, int height, Func<int, int, SKColor> color, SKEncodedImageFormat format)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, color(x, y));
        using var data = bitmap.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    public static string Png(string path, int width, int height, SKColor color) => Write(path, width, height, (_, _) => color, SKEncodedImageFormat.Png);

    public static string Jpeg(string path, int width, int height, SKColor color) => Write(path, width, height, (_, _) => color, SKEncodedImageFormat.Jpeg);
}
