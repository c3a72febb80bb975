namespace MlNetSiamese.Evaluation;

/// <summary>Pair-verification metrics from scored pairs (see <see cref="PairMetrics"/>).</summary>
public static class PairEvaluator
{
    /// <summary>Computes ROC-AUC, EER, best accuracy/F1 with their thresholds, means and histograms.</summary>
    /// <param name="scores">Cosine similarity of each pair.</param>
    /// <param name="isPositive">True for same-class pairs.</param>
    /// <param name="histogramBins">Bins of the histograms over [-1, 1].</param>
    /// <param name="protocol">Recorded in the result.</param>
    public static PairMetrics Evaluate(ReadOnlySpan<float> scores, ReadOnlySpan<bool> isPositive, int histogramBins = 40,
        PairSampling protocol = PairSampling.Balanced)
    {
        if (histogramBins < 1) throw new ArgumentOutOfRangeException(nameof(histogramBins), histogramBins, "histogramBins must be at least 1.");
        var sweep = ThresholdSweep.Run(scores, isPositive);
        long pos = sweep.Positives, neg = sweep.Negatives;

        var roc = new List<RocPoint>(sweep.Points.Length + 1) { new(float.PositiveInfinity, 0, 0) };
        double auc = 0, prevFpr = 0, prevTpr = 0;
        double bestAcc = -1, bestF1 = -1;
        float bestAccT = float.NaN, bestF1T = float.NaN;
        double eer = double.NaN;
        float eerT = float.NaN;
        double prevD = 1; // FNR - FPR at (0, 0)
        foreach (var pt in sweep.Points)
        {
            double tpr = (double)pt.TruePositives / pos, fpr = (double)pt.FalsePositives / neg;
            roc.Add(new RocPoint(pt.Threshold, fpr, tpr));
            auc += (fpr - prevFpr) * (tpr + prevTpr) / 2;
            double acc = (double)(pt.TruePositives + neg - pt.FalsePositives) / (pos + neg);
            if (acc > bestAcc) { bestAcc = acc; bestAccT = pt.Threshold; }
            double f1 = 2.0 * pt.TruePositives / (2.0 * pt.TruePositives + pt.FalsePositives + (pos - pt.TruePositives));
            if (f1 > bestF1) { bestF1 = f1; bestF1T = pt.Threshold; }
            // FNR - FPR from an exact integer numerator, so an exact crossing is seen as zero.
            double d = (double)((pos - pt.TruePositives) * neg - pt.FalsePositives * pos) / ((double)pos * neg);
            if (double.IsNaN(eer) && d <= 0)
            {
                double t = prevD / (prevD - d); // where FNR - FPR crosses zero between the previous point and this one
                eer = prevFpr + t * (fpr - prevFpr);
                eerT = pt.Threshold;
            }
            prevFpr = fpr; prevTpr = tpr; prevD = d;
        }

        double posSum = 0, negSum = 0;
        var posHist = new long[histogramBins];
        var negHist = new long[histogramBins];
        for (int i = 0; i < scores.Length; i++)
        {
            int bin = (int)Math.Floor((scores[i] + 1.0) / 2.0 * histogramBins);
            bin = Math.Clamp(bin, 0, histogramBins - 1);
            if (isPositive[i]) { posSum += scores[i]; posHist[bin]++; }
            else { negSum += scores[i]; negHist[bin]++; }
        }

        return new PairMetrics
        {
            Protocol = protocol,
            PositivePairCount = pos,
            NegativePairCount = neg,
            RocAuc = auc,
            EqualErrorRate = eer,
            EqualErrorRateThreshold = eerT,
            BestAccuracy = bestAcc,
            BestAccuracyThreshold = bestAccT,
            BestF1 = bestF1,
            BestF1Threshold = bestF1T,
            PositiveMean = posSum / pos,
            NegativeMean = negSum / neg,
            PositiveHistogram = new SimilarityHistogram(-1, 1, posHist),
            NegativeHistogram = new SimilarityHistogram(-1, 1, negHist),
            RocCurve = roc,
        };
    }
}
