using System.CommandLine;

namespace MlNetSiamese.Cli.Commands;

public static class SearchCommand
{
    public static Command Create(CliContext context) => new("search", "(not yet implemented)");
}
