using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese;

/// <summary>Trivial estimator of <see cref="CosineSimilarityTransformer"/>: nothing to learn, it checks the schema.</summary>
public sealed class CosineSimilarityEstimator : IEstimator<CosineSimilarityTransformer>
{
    private readonly CosineSimilarityTransformer transformer;

    internal CosineSimilarityEstimator(string outputColumnName, string leftColumnName, string rightColumnName, float? threshold, string isMatchColumnName)
    {
        foreach (var (name, value) in new[] { (nameof(outputColumnName), outputColumnName), (nameof(leftColumnName), leftColumnName), (nameof(rightColumnName), rightColumnName), (nameof(isMatchColumnName), isMatchColumnName) })
            if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"{name} must be a column name.", name);
        if (threshold is { } t && !(t >= -1 && t <= 1)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be a cosine similarity in [-1, 1].");
        transformer = new CosineSimilarityTransformer(outputColumnName, leftColumnName, rightColumnName, threshold, isMatchColumnName);
    }

    /// <inheritdoc />
    public CosineSimilarityTransformer Fit(IDataView input)
    {
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        foreach (var name in new[] { transformer.LeftColumnName, transformer.RightColumnName })
        {
            if (!inputSchema.TryFindColumn(name, out var c))
                throw new ArgumentOutOfRangeException(nameof(inputSchema), name, $"Input column '{name}' was not found.");
            if (c.Kind != SchemaShape.Column.VectorKind.Vector || c.ItemType != NumberDataViewType.Single)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), name, $"Input column '{name}' must be a fixed-size vector of Single (float).");
        }
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[transformer.OutputColumnName] = new SchemaShape.Column(transformer.OutputColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        if (transformer.Threshold.HasValue)
            columns[transformer.IsMatchColumnName] = new SchemaShape.Column(transformer.IsMatchColumnName, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false);
        return new SchemaShape(columns.Values);
    }
}
