using MlNetSiamese.Training;
using Xunit;

namespace MlNetSiamese.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void CosineAndConstantKeepTheirShapes()
    {
        Assert.Equal(1.0, Schedules.Factor(LearningRateSchedule.Cosine, 0, 100), 1e-12);
        Assert.Equal(0.5, Schedules.Factor(LearningRateSchedule.Cosine, 50, 100), 1e-12);
        Assert.Equal(1.0, Schedules.Factor(LearningRateSchedule.Constant, 70, 100), 1e-12);
    }
}
