using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace MlNetSiamese.Plots;

/// <summary>PNG plots of pair-verification results: similarity histograms and the ROC curve.</summary>
public static class SimilarityPlots
{
    /// <summary>Positive vs negative cosine-similarity histograms (as fractions of each kind, so both are comparable).</summary>
    /// <param name="metrics">Pair metrics holding the histograms.</param>
    /// <param name="path">PNG file to write.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void SaveHistograms(PairMetrics metrics, string path, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var model = new PlotModel { Title = "Cosine similarity of pairs" };
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "cosine similarity", Minimum = -1, Maximum = 1 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "fraction of pairs", Minimum = 0 });
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.TopLeft });
        model.Series.Add(Histogram(metrics.NegativeHistogram, $"negative (mean {metrics.NegativeMean:0.000})", OxyColor.FromAColor(140, OxyColors.IndianRed)));
        model.Series.Add(Histogram(metrics.PositiveHistogram, $"positive (mean {metrics.PositiveMean:0.000})", OxyColor.FromAColor(140, OxyColors.SeaGreen)));
        PlotFiles.SavePng(model, path, width, height);
    }

    /// <summary>ROC curve with the AUC in the legend and the chance diagonal.</summary>
    /// <param name="metrics">Pair metrics holding the ROC curve.</param>
    /// <param name="path">PNG file to write.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void SaveRocCurve(PairMetrics metrics, string path, int width = 600, int height = 600)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var model = new PlotModel { Title = "ROC curve" };
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "false positive rate", Minimum = 0, Maximum = 1 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "true positive rate", Minimum = 0, Maximum = 1 });
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.BottomRight });
        var chance = new LineSeries { Title = "chance", Color = OxyColors.Gray, LineStyle = LineStyle.Dash };
        chance.Points.Add(new DataPoint(0, 0));
        chance.Points.Add(new DataPoint(1, 1));
        var roc = new LineSeries { Title = $"ROC (AUC = {metrics.RocAuc:0.000}, EER = {metrics.EqualErrorRate:0.000})", Color = OxyColors.SteelBlue, StrokeThickness = 2 };
        foreach (var p in metrics.RocCurve) roc.Points.Add(new DataPoint(p.FalsePositiveRate, p.TruePositiveRate));
        model.Series.Add(chance);
        model.Series.Add(roc);
        PlotFiles.SavePng(model, path, width, height);
    }

    private static HistogramSeries Histogram(SimilarityHistogram h, string title, OxyColor color)
    {
        var series = new HistogramSeries { Title = title, FillColor = color, StrokeThickness = 0 };
        double total = Math.Max(1, h.Counts.Sum());
        for (int b = 0; b < h.Counts.Length; b++)
            series.Items.Add(new HistogramItem(h.BinStart(b), h.BinStart(b + 1), h.Counts[b] / total * h.BinWidth, (int)Math.Min(int.MaxValue, h.Counts[b])));
        return series;
    }
}
