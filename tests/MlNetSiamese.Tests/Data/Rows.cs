using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetSiamese.Tests.Data;

/// <summary>Reads (Label, Features) rows out of an IDataView through a cursor, as the pipeline does.</summary>
public static class Rows
{
    public static List<(string Label, float[] Features)> Read(IDataView view, Random? rand = null, string labelColumn = "Label", string featuresColumn = "Features")
    {
        var label = view.Schema[labelColumn];
        var features = view.Schema[featuresColumn];
        using var cursor = view.GetRowCursor(new[] { label, features }, rand);
        var getLabel = cursor.GetGetter<ReadOnlyMemory<char>>(label);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        var rows = new List<(string, float[])>();
        ReadOnlyMemory<char> l = default;
        VBuffer<float> f = default;
        while (cursor.MoveNext())
        {
            getLabel(ref l);
            getFeatures(ref f);
            rows.Add((l.ToString(), f.DenseValues().ToArray()));
        }
        return rows;
    }
}
