using Grpc.Core;

namespace CathLab.Console.Commands;

/// <summary>The shape every station-control subcommand shares: leading words (<c>exam start</c>), then options;
/// the connection options (<c>--server</c>, <c>--token</c>, <c>--insecure</c>); one clear line and a non-zero exit
/// code when the station refuses or cannot be reached.</summary>
public abstract class StationCommand : ICommand
{
    public abstract string Name { get; }

    public abstract string Summary { get; }

    public abstract string Usage { get; }

    /// <summary>Options that take a value, besides the connection's.</summary>
    protected virtual IReadOnlyCollection<string> Valued => [];

    protected virtual IReadOnlyCollection<string> Switches => [];

    /// <summary>How many words come before the options (a subcommand or a name).</summary>
    protected virtual int Words => 0;

    /// <summary>Reads the words and options (throwing <see cref="UsageException"/> on anything wrong) and returns
    /// what to do with the station; nothing is sent before every argument has been checked.</summary>
    protected abstract StationAction Prepare(IReadOnlyList<string> words, OptionReader options);

    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        StationTarget target;
        StationAction action;
        try
        {
            int words = 0;
            while (words < args.Count && words < Words && !args[words].StartsWith("--", StringComparison.Ordinal)) words++;
            if (words < Words) throw new UsageException(Words == 1 ? "a word is missing before the options" : $"{Words} words are needed before the options");
            var options = new OptionReader(args.Skip(words).ToArray(), [.. Valued, .. StationTarget.Valued], [.. Switches, .. StationTarget.Switches]);
            target = StationTarget.From(options);
            action = Prepare(args.Take(words).ToArray(), options);
        }
        catch (UsageException e)
        {
            error.WriteLine($"cathlab {Name}: {e.Message}");
            error.WriteLine(Usage);
            return ExitCodes.Usage;
        }

        using var station = new StationClient(target);
        try
        {
            return await action(station, output, cancellation);
        }
        catch (Exception e) when (cancellation.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            error.WriteLine($"cathlab {Name}: interrupted before the station answered");
            return ExitCodes.Failure;
        }
        catch (RpcException e)
        {
            error.WriteLine($"cathlab {Name}: {StationErrors.Describe(e, target.Server)}");
            return StationErrors.ExitCodeOf(e);
        }
    }
}

/// <summary>What a station command does once its arguments are checked; returns the exit code.</summary>
public delegate Task<int> StationAction(StationClient station, TextWriter output, CancellationToken cancellation);
