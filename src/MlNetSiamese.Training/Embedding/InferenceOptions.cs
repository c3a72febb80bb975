using System.ComponentModel;

namespace MlNetSiamese;

/// <summary>How the fitted transformer embeds: test-time augmentation and batch size. Stored in the saved model.</summary>
public sealed class InferenceOptions
{
    /// <summary>Images: embed each image and its mirror image and average the two (twice the inference compute); also
    /// used by training's validation. Suits encoders trained with flips.</summary>
    public bool TestTimeFlip { get; set; }

    /// <summary>Rows per encoder call when transforming; does not change the embeddings.</summary>
    [DisplayName("inference-batch-size")]
    public int BatchSize { get; set; } = 64;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    internal void Validate(bool image)
    {
        OptionCheck.That(image || !TestTimeFlip, "Inference.TestTimeFlip", TestTimeFlip, "false when the input is a plain vector (it mirrors images)");
        OptionCheck.That(BatchSize >= 1, "Inference.BatchSize", BatchSize, ">= 1");
    }
}
