using System.CommandLine;

namespace MlNetSiamese.Cli.Commands;

public static class EmbedCommand
{
    public static Command Create(CliContext context) => new("embed", "(not yet implemented)");
}
