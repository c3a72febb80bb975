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
    {
        int inputCount = InputSchema.Count;
        var result = new List<DataViewSchema.Column>();
        foreach (var c in dependingColumns)
            if (c.Index < inputCount) result.Add(InputSchema[c.Index]);
            else result.AddRange(appender.Dependencies(c.Index - inputCount));
        return result.DistinctBy(c => c.Index).ToList();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        var wanted = activeColumns.Select(c => c.Index).ToHashSet();
        return new Row(this, input, wanted);
    }

    private sealed class Row : DataViewRow
    {
        private readonly DataViewRow input;
        private readonly Delegate?[] getters;
        private readonly List<IDisposable> disposables = new();
        private readonly DataViewSchema schema;

        public Row(AppendedColumnsRowMapper mapper, DataViewRow input, HashSet<int> wanted)
        {
            this.input = input;
            schema = mapper.OutputSchema;
            getters = AppendedSchema.CreateGetters(mapper.appender, input, null, wanted, disposables);
        }

        public override DataViewSchema Schema => schema;
        public override long Position => input.Position;
        public override long Batch => input.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => AppendedSchema.IsActive(input, getters, column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => AppendedSchema.Getter<TValue>(input, getters, column);

        protected override void Dispose(bool disposing)
        {
            if (disposing) foreach (var d in disposables) d.Dispose();
            base.Dispose(disposing);
        }
    }
}
