using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetSiamese.Encoders;

/// <summary>Linear -> BatchNorm -> ReLU per hidden width, then a linear projection to the embedding.</summary>
internal sealed class MlpEncoder : nn.Module<Tensor, Tensor>, IFoldsBatchNorm
{
    private readonly Sequential body;
    private readonly List<(Linear Linear, BatchNorm1d Norm)> hidden = new();
    private readonly Linear projection;

    public MlpEncoder(EncoderConfig config) : base(nameof(MlpEncoder))
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int inputs = config.InputSize;
        for (int i = 0; i < config.Widths.Length; i++)
        {
            var linear = nn.Linear(inputs, config.Widths[i], hasBias: false);
            var norm = nn.BatchNorm1d(config.Widths[i]);
            hidden.Add((linear, norm));
            layers.Add(($"linear{i}", linear));
            layers.Add(($"norm{i}", norm));
            layers.Add(($"relu{i}", nn.ReLU()));
            inputs = config.Widths[i];
        }
        projection = nn.Linear(inputs, config.EmbeddingDimension);
        layers.Add(("projection", projection));
        body = nn.Sequential(layers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => body.forward(input.flatten(1));

    public nn.Module<Tensor, Tensor> FoldBatchNorm()
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("flatten", nn.Flatten()) };
        for (int i = 0; i < hidden.Count; i++)
        {
            layers.Add(($"linear{i}", BatchNormFolding.Fold(hidden[i].Linear, hidden[i].Norm)));
            layers.Add(($"relu{i}", nn.ReLU(inplace: true)));
        }
        layers.Add(("projection", BatchNormFolding.Copy(projection)));
        return nn.Sequential(layers);
    }
}
