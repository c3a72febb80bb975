using MlNetSiamese.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MlNetSiamese.Tests.Training;

public class LookaheadTests
{
    private static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    private static void Close(IEnumerable<float> expected, float[] actual)
    {
        var e = expected.ToArray();
        Assert.Equal(e.Length, actual.Length);
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - actual[i]) < 1e-4 * Math.Max(1, Math.Abs(e[i])), $"value {i}: expected {e[i]}, got {actual[i]}");
    }

    [Fact]
    public void FromThirtyPercentEveryFifthStepTheWeightsRestartFromTheSlowAverage()
    {
        using var layer = nn.Linear(3, 2);
        using var lookahead = new Lookahead(layer, totalSteps: 100);
        var w = layer.weight!;
        void Train() { using (no_grad()) w.add_(1f); }              // each "step" moves every weight by 1

        var start = Values(w);
        for (long step = 1; step <= 29; step++) { Train(); lookahead.AfterStep(step); }
        Close(start.Select(v => v + 29f), Values(w));         // before 30 % nothing happens

        Train(); lookahead.AfterStep(30);                              // step 30: the slow copy is taken
        var slow = Values(w);
        Close(start.Select(v => v + 30f), slow);
        for (long step = 31; step <= 34; step++) { Train(); lookahead.AfterStep(step); }
        Close(slow.Select(v => v + 4f), Values(w));            // off-steps leave the weights alone
        Train(); lookahead.AfterStep(35);                              // step 35: slow = rho slow + (1 - rho) w, w = slow
        double rho = Math.Pow(0.95, 5) * Math.Pow(0.35, 3);
        Assert.Equal(rho, lookahead.DecayAt(35), 1e-12);
        var expected = slow.Select(v => (float)(v + (1 - rho) * 5)).ToArray();
        Close(expected, Values(w));

        Train(); Train();                                              // the end of an epoch goes back to the slow copy
        lookahead.EndEpoch();
        Close(expected, Values(w));
    }

    [Fact]
    public void BeforeTheStartTheEpochEndChangesNothingAndResumingLateTakesTheSlowCopy()
    {
        using var layer = nn.Linear(2, 2);
        using var lookahead = new Lookahead(layer, totalSteps: 100);
        var before = Values(layer.weight!);
        lookahead.EndEpoch();
        Assert.Equal(before, Values(layer.weight!));

        lookahead.Resume(40);                                          // a run resumed after step 40 had its slow copy
        using (no_grad()) layer.weight!.add_(2f);
        lookahead.EndEpoch();
        Assert.Equal(before, Values(layer.weight!));
    }
}
