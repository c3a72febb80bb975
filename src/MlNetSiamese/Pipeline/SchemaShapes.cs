using Microsoft.ML;

namespace MlNetSiamese.Pipeline;

/// <summary>ML.NET's internal SchemaShape factory, for the tests' schema-before-fit checks.</summary>
internal static class SchemaShapes
{
    public static SchemaShape From(DataViewSchema schema) => SchemaShape.Create(schema);
}
