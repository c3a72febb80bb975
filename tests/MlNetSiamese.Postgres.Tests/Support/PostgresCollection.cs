using Xunit;

namespace MlNetSiamese.Postgres.Tests.Support;

/// <summary>The store tests share one throw-away server and run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
