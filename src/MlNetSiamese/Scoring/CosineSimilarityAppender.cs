using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetSiamese.Pipeline;

namespace MlNetSiamese.Scoring;

/// <summary>Appends cos(a, b) of two float vector columns and, with a threshold, whether it reaches it.</summary>
internal sealed class CosineSimilarityAppender : IColumnAppender
{
    private readonly DataViewSchema.Column left, right;
    private readonly float? threshold;

    public CosineSimilarityAppender(DataViewSchema schema, string outputColumnName, string leftName, string rightName, float? threshold, string isMatchColumnName)
    {
        InputSchema = schema;
        left = CheckVector(schema, leftName);
        right = CheckVector(schema, rightName);
        if (((VectorDataViewType)left.Type).Size != ((VectorDataViewType)right.Type).Size)
            throw new ArgumentOutOfRangeException(nameof(rightName), rightName, $"Columns '{leftName}' ({left.Type}) and '{rightName}' ({right.Type}) must have the same vector size.");
        this.threshold = threshold;
        var added = new List<DataViewSchema.DetachedColumn> { new(outputColumnName, NumberDataViewType.Single) };
        if (threshold.HasValue) added.Add(new(isMatchColumnName, BooleanDataViewType.Instance));
        AddedColumns = added;
    }

    public DataViewSchema InputSchema { get; }
    public IReadOnlyList<DataViewSchema.DetachedColumn> AddedColumns { get; }

    public IEnumerable<DataViewSchema.Column> Dependencies(int added) => new[] { left, right };

    public Delegate CreateGetter(int added, DataViewRow input, IDataView? source, List<IDisposable> disposables)
    {
        var getLeft = input.GetGetter<VBuffer<float>>(left);
        var getRight = input.GetGetter<VBuffer<float>>(right);
        int size = ((VectorDataViewType)left.Type).Size;
        var a = new float[size];
        var b = new float[size];
        VBuffer<float> va = default, vb = default;
        float Similarity()
        {
            getLeft(ref va); getRight(ref vb);
            va.CopyTo(a); vb.CopyTo(b);
            float na = TensorPrimitives.Norm(a), nb = TensorPrimitives.Norm(b);
            return na == 0 || nb == 0 ? float.NaN : TensorPrimitives.Dot(a, b) / (na * nb);
        }
        if (added == 0) return (ValueGetter<float>)((ref float value) => value = Similarity());
        float t = threshold!.Value;
        return (ValueGetter<bool>)((ref bool value) => value = Similarity() >= t);
    }

    private static DataViewSchema.Column CheckVector(DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(name), name, $"Input column '{name}' was not found; the data has: {string.Join(", ", schema.Select(c => c.Name))}.");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType n, IsKnownSize: true } || n != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(name), name, $"Input column '{name}' must be a fixed-size vector of Single (float); it is {column.Type}.");
        return column;
    }
}
