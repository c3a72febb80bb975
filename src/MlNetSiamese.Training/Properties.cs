[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("MlNetSiamese.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("MlNetSiamese.Bench")]
// The model format of the embedding transformer (Embedding/EmbeddingModelFormat.cs) implements ML.NET's persistence
// contract like the core's formats do; see src/MlNetSiamese/Persistence/IgnoresAccessChecksTo.cs and build/README.md.
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]
