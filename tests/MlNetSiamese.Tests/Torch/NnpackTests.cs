using MlNetSiamese.Encoders;
using MlNetSiamese.Torch;
using Xunit;

namespace MlNetSiamese.Tests.Torch;

public class NnpackTests
{
    [Fact]
    public void BuildingAnEncoderSwitchesLibtorchsNnpackOff()
    {
        using var encoder = new Encoder(new EncoderConfig { Kind = EncoderKind.Mlp, InputSize = 4, Widths = [4], EmbeddingDimension = 2 });
        Assert.True(Nnpack.Off());
        Assert.False(Nnpack.UserEnabled());   // libtorch's own flag, read back through its API
    }
}
