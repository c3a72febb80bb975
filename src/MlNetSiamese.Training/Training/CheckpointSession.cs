using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MlNetSiamese.Encoders;

namespace MlNetSiamese.Training;

/// <summary>
/// A run's checkpoint file: after every epoch the state goes to it atomically (<see cref="TrainingCheckpoint"/>), with
/// the whole recipe (the encoder configuration, the objective and the training recipe) as JSON; a resume is refused,
/// naming the first field that differs, unless the recipe and the training-row count are the checkpoint's.
/// </summary>
internal sealed class CheckpointSession(string path, EncoderConfig encoder, TripletObjectiveOptions objective, TrainingRecipe recipe, int trainingRows)
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The recipe as the checkpoint stores it.</summary>
    public string RecipeJson { get; } = new JsonObject
    {
        ["Encoder"] = JsonNode.Parse(encoder.ToJson()),
        ["Objective"] = JsonSerializer.SerializeToNode(objective, Json),
        ["Training"] = JsonSerializer.SerializeToNode(recipe, Json),
    }.ToJsonString();

    public string Path => path;

    public void Save(int completedEpochs, BestEpoch best, byte[] weights, byte[]? headWeights, byte[] optimizerState, IReadOnlyList<TrainingProgress> history) =>
        new TrainingCheckpoint
        {
            RecipeJson = RecipeJson, TrainingRows = trainingRows, CompletedEpochs = completedEpochs,
            BestScore = best.Score, EpochsSinceBest = best.EpochsSinceBest, BestWeights = best.Weights,
            Weights = weights, HeadWeights = headWeights, OptimizerState = optimizerState, History = history.ToArray(),
        }.Save(path);

    /// <summary>The checkpoint to resume from, after checking it belongs to this run.</summary>
    public TrainingCheckpoint Load()
    {
        var checkpoint = TrainingCheckpoint.Load(path);
        string? difference = FirstDifference("", JsonNode.Parse(checkpoint.RecipeJson), JsonNode.Parse(RecipeJson))
            ?? (checkpoint.TrainingRows != trainingRows ? $"the training data differs (checkpoint {checkpoint.TrainingRows} rows, now {trainingRows})" : null);
        if (difference != null)
            throw new InvalidOperationException($"Cannot resume from '{path}': {difference}. Resume with the options and data of the interrupted run, or train without resuming.");
        return checkpoint;
    }

    /// <summary>The first field (as a dotted path) whose value differs, or null.</summary>
    internal static string? FirstDifference(string at, JsonNode? saved, JsonNode? now)
    {
        if (saved is JsonObject a && now is JsonObject b)
        {
            foreach (var name in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
                if (FirstDifference(at.Length == 0 ? name : $"{at}.{name}", a[name], b[name]) is { } found) return found;
            return null;
        }
        string x = saved?.ToJsonString() ?? "null", y = now?.ToJsonString() ?? "null";
        return x == y ? null : $"{at} differs (checkpoint {x}, now {y})";
    }
}
