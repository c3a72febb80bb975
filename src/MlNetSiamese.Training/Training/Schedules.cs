namespace MlNetSiamese.Training;

/// <summary>The learning rate's multiplier over a run.</summary>
internal static class Schedules
{
    /// <summary>The multiplier of <paramref name="schedule"/> at 0-based <paramref name="step"/> of <paramref name="total"/>.</summary>
    public static double Factor(LearningRateSchedule schedule, long step, long total) => schedule switch
    {
        LearningRateSchedule.Cosine => 0.5 * (1 + Math.Cos(Math.PI * step / total)),
        _ => 1,
    };
}
