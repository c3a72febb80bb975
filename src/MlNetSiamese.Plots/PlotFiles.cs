using OxyPlot;
using OxyPlot.SkiaSharp;

namespace MlNetSiamese.Plots;

/// <summary>Writes OxyPlot models to PNG files.</summary>
internal static class PlotFiles
{
    public static void SavePng(PlotModel model, string path, int width, int height)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (width < 50) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be at least 50 pixels.");
        if (height < 50) throw new ArgumentOutOfRangeException(nameof(height), height, "height must be at least 50 pixels.");
        model.Background = OxyColors.White;
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var stream = File.Create(path);
        new PngExporter { Width = width, Height = height }.Export(model, stream);
    }

    /// <summary>A qualitative palette (Tableau 10) extended by hue rotation for many classes.</summary>
    public static OxyColor ClassColor(int index)
    {
        OxyColor[] palette =
        [
            OxyColor.FromRgb(31, 119, 180), OxyColor.FromRgb(255, 127, 14), OxyColor.FromRgb(44, 160, 44), OxyColor.FromRgb(214, 39, 40),
            OxyColor.FromRgb(148, 103, 189), OxyColor.FromRgb(140, 86, 75), OxyColor.FromRgb(227, 119, 194), OxyColor.FromRgb(127, 127, 127),
            OxyColor.FromRgb(188, 189, 34), OxyColor.FromRgb(23, 190, 207),
        ];
        return index < palette.Length ? palette[index] : OxyColor.FromHsv(index * 0.618034 % 1.0, 0.7, 0.85);
    }
}
