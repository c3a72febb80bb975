using Xunit;

namespace MlNetSiamese.Tests.Torch;

public class TorchThreadsTests
{
    [Fact]
    public void SetIntraOpChangesLibtorchsThreadCountAndRefusesZero()
    {
        int before = TorchThreads.IntraOp;
        Assert.True(before >= 1);
        try
        {
            int other = before == 1 ? 2 : 1;
            TorchThreads.SetIntraOp(other);
            Assert.Equal(other, TorchSharp.torch.get_num_threads());   // libtorch's own count
        }
        finally
        {
            TorchThreads.SetIntraOp(before);
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TorchThreads.SetIntraOp(0));
        Assert.Equal("threads", e.ParamName);
        Assert.Equal(before, TorchThreads.IntraOp);
    }
}
