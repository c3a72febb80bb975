using System.Text.Json;
using System.Text.Json.Serialization;
using MlNetSiamese.Plots;

namespace MlNetSiamese.Cli.Output;

/// <summary>metrics.json, options.json and the PNG plots written next to them.</summary>
public static class ResultFiles
{
    public const string MetricsFileName = "metrics.json";
    public const string OptionsFileName = "options.json";
    public const int MaxProjectionPoints = 2000;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void WriteJson(string path, object value) => File.WriteAllText(path, JsonSerializer.Serialize(value, Json));

    public static object MetricsDocument(SiameseMetrics m, object? calibration, ThresholdAssessment? atThreshold, object data, IReadOnlyList<TrainingProgress>? history)
        => new
        {
            data,
            retrieval = new
            {
                m.Retrieval.PrecisionAt1, m.Retrieval.RPrecision, m.Retrieval.MapAtR,
                RecallAtK = m.Retrieval.RecallAtK.ToDictionary(p => p.Key.ToString(), p => p.Value),
                m.Retrieval.KnnK, m.Retrieval.KnnAccuracy, m.Retrieval.PerClassPrecisionAt1,
                m.Retrieval.QueryCount, m.Retrieval.EvaluatedQueryCount, m.Retrieval.GallerySize, m.Retrieval.LeaveOneOut,
            },
            pairs = m.Pairs is not { } p ? null : new
            {
                p.Protocol, p.Seed, p.PositivePairCount, p.NegativePairCount,
                // Rounded to the digits that hold: seed-to-seed spreads are about 0.001 on 10,000 + 10,000 pairs.
                RocAuc = Round(p.RocAuc), EqualErrorRate = Round(p.EqualErrorRate), p.EqualErrorRateThreshold,
                BestAccuracy = Round(p.BestAccuracy), p.BestAccuracyThreshold, BestF1 = Round(p.BestF1), p.BestF1Threshold,
                PositiveMean = Round(p.PositiveMean), NegativeMean = Round(p.NegativeMean),
            },
            calibration,
            calibratedThresholdOnThisData = atThreshold,
            training = history?.Where(h => h.EpochCompleted).Select(h => new
            {
                h.Epoch, h.Loss, h.ActiveTripletFraction, h.ValidationPrecisionAt1, h.LearningRate, ElapsedSeconds = h.Elapsed.TotalSeconds, h.IsBest,
            }).ToArray(),
        };

    private static double Round(double value) => Math.Round(value, 4);

    /// <summary>Writes similarity_histogram.png, roc.png and projection.png into <paramref name="folder"/>; returns the files.</summary>
    public static List<string> WritePlots(string folder, SiameseMetrics m, float[] embeddings, int dimension, IReadOnlyList<string> labels)
    {
        var files = new List<string>();
        if (m.Pairs != null)
        {
            string h = Path.Combine(folder, "similarity_histogram.png"), r = Path.Combine(folder, "roc.png");
            SimilarityPlots.SaveHistograms(m.Pairs, h);
            SimilarityPlots.SaveRocCurve(m.Pairs, r);
            files.Add(h); files.Add(r);
        }
        int rows = Math.Min(labels.Count, MaxProjectionPoints);
        if (rows >= 3 && dimension >= 2)
        {
            string pr = Path.Combine(folder, "projection.png");
            EmbeddingProjectionPlot.Save(embeddings.AsSpan(0, rows * dimension), dimension, labels.Take(rows).ToList(), pr);
            files.Add(pr);
        }
        return files;
    }
}
