using MlNetSiamese.Training;
using Xunit;

namespace MlNetSiamese.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void TriangularRisesFromAFifthToThePeakAtAQuarterThenFallsToSevenHundredths()
    {
        const long total = 1000;
        double At(long step) => SiameseTrainer.ScheduleFactor(LearningRateSchedule.Triangular, step, total);
        Assert.Equal(0.2, At(0), 1e-12);
        Assert.Equal(0.6, At(115), 1e-12);                  // half way up to the peak at 230 = 0.23 x 1000
        Assert.Equal(1.0, At(230), 1e-12);
        Assert.Equal(1 - 0.93 * 385.0 / 770, At(615), 1e-12);   // half way down
        Assert.Equal(0.07, At(total), 1e-12);
        for (long s = 1; s <= total; s++)                  // up, then down, never outside [0.07, 1]
        {
            Assert.InRange(At(s), 0.07 - 1e-12, 1.0);
            if (s <= 230) Assert.True(At(s) > At(s - 1));
            else Assert.True(At(s) < At(s - 1));
        }
    }

    [Fact]
    public void CosineAndConstantKeepTheirShapes()
    {
        Assert.Equal(1.0, SiameseTrainer.ScheduleFactor(LearningRateSchedule.Cosine, 0, 100), 1e-12);
        Assert.Equal(0.5, SiameseTrainer.ScheduleFactor(LearningRateSchedule.Cosine, 50, 100), 1e-12);
        Assert.Equal(1.0, SiameseTrainer.ScheduleFactor(LearningRateSchedule.Constant, 70, 100), 1e-12);
    }

    [Fact]
    public void AOneStepRunIsNotDividedByZero()
    {
        Assert.True(double.IsFinite(SiameseTrainer.ScheduleFactor(LearningRateSchedule.Triangular, 0, 1)));
        Assert.InRange(SiameseTrainer.ScheduleFactor(LearningRateSchedule.Triangular, 0, 1), 0.07, 1.0);
    }
}
