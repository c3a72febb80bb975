[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("MlNetSiamese.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("MlNetSiamese.Bench")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("MlNetSiamese.Training")]
