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
        left = DataViewColumns.FindVector(schema, leftName, "Input", nameof(leftName));
        right = DataViewColumns.FindVector(schema, rightName, "Input", nameof(rightName), left.Type.GetVectorSize());
        this.threshold = threshold;
        var added = new List<DataViewSchema.DetachedColumn> { new(outputColumnName, NumberDataViewType.Single) };
        if (threshold.HasValue) added.Add(new(isMatchColumnName, BooleanDataViewType.Instance));
        AddedColumns = added;
    }

    public DataViewSchema InputSchema { get; }
    public IReadOnlyList<DataViewSchema.DetachedColumn> AddedColumns { get; }

    public IEnumerable<DataViewSchema.Column> Dependencies(int added) => new[] { left, right };

    public Delegate?[] CreateGetters(DataViewRow input, IDataView? source, bool[] active, List<IDisposable> disposables)
    {
        var getLeft = input.GetGetter<VBuffer<float>>(left);
        var getRight = input.GetGetter<VBuffer<float>>(right);
        int size = left.Type.GetVectorSize();
        var a = new float[size];
        var b = new float[size];
        VBuffer<float> va = default, vb = default;
        long cachedAt = -1;
        float cached = 0;
        // Similarity and IsMatch of one cursor row share one computation.
        float Similarity()
        {
            if (source != null && cachedAt == input.Position) return cached;
            getLeft(ref va); getRight(ref vb);
            DataViewColumns.ReadFiniteVector(va, a, left.Name, input.Position);
            DataViewColumns.ReadFiniteVector(vb, b, right.Name, input.Position);
            float na = TensorPrimitives.Norm(a), nb = TensorPrimitives.Norm(b);
            cached = na == 0 || nb == 0 ? float.NaN : TensorPrimitives.Dot(a, b) / (na * nb);
            cachedAt = input.Position;
            return cached;
        }
        var getters = new Delegate?[active.Length];
        if (active[0]) getters[0] = (ValueGetter<float>)((ref float value) => value = Similarity());
        if (active.Length > 1 && active[1])
        {
            float t = threshold!.Value;
            getters[1] = (ValueGetter<bool>)((ref bool value) => value = Similarity() >= t);
        }
        return getters;
    }
}
