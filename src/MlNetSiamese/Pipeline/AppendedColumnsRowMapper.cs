using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.Pipeline;

/// <summary>Row-at-a-time form of an appender, for <c>PredictionEngine</c> and ML.NET's chained row mappers.</summary>
internal sealed class AppendedColumnsRowMapper : IRowToRowMapper
{
    private readonly IColumnAppender appender;

    public AppendedColumnsRowMapper(IColumnAppender appender)
    {
        this.appender = appender;
        OutputSchema = AppendedSchema.Build(appender.InputSchema, appender.AddedColumns);
    }

    public DataViewSchema InputSchema => appender.InputSchema;
    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
        => AppendedSchema.InputColumnsFor(appender, dependingColumns.Select(c => c.Index));

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
        => new AppendedRow(appender, OutputSchema, input, source: null, activeColumns.Select(c => c.Index));
}
