namespace CathLab.Console.Commands;

/// <summary>One subcommand of <c>cathlab</c>. Each lives in its own file and is listed in <see cref="CommandTable"/>.</summary>
public interface ICommand
{
    string Name { get; }

    string Summary { get; }

    string Usage { get; }

    /// <returns>The process exit code: 0 success, 2 usage error, 3 refused by the station, 1 other failure.</returns>
    Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellation);
}
