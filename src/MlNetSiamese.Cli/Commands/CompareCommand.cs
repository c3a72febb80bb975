using System.CommandLine;

namespace MlNetSiamese.Cli.Commands;

public static class CompareCommand
{
    public static Command Create(CliContext context) => new("compare", "(not yet implemented)");
}
