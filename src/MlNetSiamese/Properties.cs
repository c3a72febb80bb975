[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("MlNetSiamese.Tests")]
