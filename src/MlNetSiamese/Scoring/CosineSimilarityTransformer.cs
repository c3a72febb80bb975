using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Pipeline;
using MlNetSiamese.Scoring;

namespace MlNetSiamese;

/// <summary>
/// Appends the cosine similarity of two embedding columns (a float in [-1, 1]; NaN when a vector is all zeros) and,
/// when a threshold is set, a boolean column that says whether the similarity reaches it. Lazy; saveable.
/// </summary>
public sealed class CosineSimilarityTransformer : ITransformer
{
    internal CosineSimilarityTransformer(string outputColumnName, string leftColumnName, string rightColumnName, float? threshold, string isMatchColumnName)
    {
        OutputColumnName = outputColumnName; LeftColumnName = leftColumnName; RightColumnName = rightColumnName;
        Threshold = threshold; IsMatchColumnName = isMatchColumnName;
    }

    /// <summary>Similarity column.</summary>
    public string OutputColumnName { get; }
    /// <summary>First embedding column.</summary>
    public string LeftColumnName { get; }
    /// <summary>Second embedding column.</summary>
    public string RightColumnName { get; }
    /// <summary>Calibrated threshold; null when no match column is added.</summary>
    public float? Threshold { get; }
    /// <summary>Boolean column added when <see cref="Threshold"/> is set.</summary>
    public string IsMatchColumnName { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;
    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => AppendedSchema.Build(inputSchema, Bind(inputSchema).AddedColumns);
    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new AppendedColumnsRowMapper(Bind(inputSchema));
    /// <inheritdoc />
    public IDataView Transform(IDataView input) => new AppendedColumnsDataView(input, Bind(input.Schema));

    private CosineSimilarityAppender Bind(DataViewSchema schema) => new(schema, OutputColumnName, LeftColumnName, RightColumnName, Threshold, IsMatchColumnName);

    void ICanSaveModel.Save(ModelSaveContext ctx) => SimilarityModelFormat.Save(ctx, this);
}
