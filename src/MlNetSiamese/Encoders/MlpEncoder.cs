using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>Linear -> BatchNorm -> ReLU per hidden width, then a linear projection to the embedding.</summary>
internal sealed class MlpEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Sequential body;

    public MlpEncoder(EncoderConfig config) : base(nameof(MlpEncoder))
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int inputs = config.InputSize;
        for (int i = 0; i < config.Widths.Length; i++)
        {
            layers.Add(($"linear{i}", nn.Linear(inputs, config.Widths[i], hasBias: false)));
            layers.Add(($"norm{i}", nn.BatchNorm1d(config.Widths[i])));
            layers.Add(($"relu{i}", nn.ReLU()));
            inputs = config.Widths[i];
        }
        layers.Add(("projection", nn.Linear(inputs, config.EmbeddingDimension)));
        body = nn.Sequential(layers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => body.forward(input.flatten(1));
}
