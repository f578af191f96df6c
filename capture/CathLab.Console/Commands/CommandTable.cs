namespace CathLab.Console.Commands;

/// <summary>The subcommands <c>cathlab</c> knows; add a new one here.</summary>
public static class CommandTable
{
    public static IReadOnlyList<ICommand> All { get; } =
    [
        new StatusCommand(),
        new WorklistCommand(),
        new ExamCommand(),
        new ProtocolsCommand(),
        new ProtocolCommand(),
        new PedalCommand(),
        new FluoroCommand(),
        new CineCommand(),
        new SaveFluoroCommand(),
        new RemaskCommand(),
        new ResetFaultCommand(),
        new ResetFluoroTimerCommand(),
        new CalibrateCommand(),
        new OutboxCommand(),
        new InviteCommand(),
        new InvitationsCommand(),
        new RevokeCommand(),
        new ObserveCommand(),
        new AuditVerifyCommand(),
    ];

    public static async Task<int> DispatchAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        if (args.Count == 0 || args[0] is "help" or "--help" or "-h")
        {
            var named = args.Count > 1 ? All.FirstOrDefault(c => c.Name == args[1]) : null;
            if (named is not null) output.WriteLine(named.Usage);
            else WriteHelp(output);
            return args.Count == 0 ? ExitCodes.Usage : ExitCodes.Success;
        }
        var command = All.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            error.WriteLine($"cathlab: unknown command '{args[0]}'");
            WriteHelp(error);
            return ExitCodes.Usage;
        }
        return await command.RunAsync(args.Skip(1).ToArray(), output, error, cancellation);
    }

    private static void WriteHelp(TextWriter writer)
    {
        writer.WriteLine("usage: cathlab <command> [options]   (cathlab help <command> for its options)");
        foreach (var c in All) writer.WriteLine($"  {c.Name,-12} {c.Summary}");
    }
}
