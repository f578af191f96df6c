using CathLab.Security.Audit;

namespace CathLab.Console.Commands;

/// <summary><c>cathlab audit-verify FILE</c>: checks an audit file's hash chain (runs where the file is; needs no station).</summary>
public sealed class AuditVerifyCommand : ICommand
{
    public string Name => "audit-verify";

    public string Summary => "check that an audit file's hash chain is intact";

    public string Usage => "usage: cathlab audit-verify FILE\n  exits 0 when every line follows from the one before, 1 at the first that does not";

    public Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        if (args.Count != 1)
        {
            error.WriteLine(Usage);
            return Task.FromResult(ExitCodes.Usage);
        }
        AuditVerification result;
        try
        {
            result = AuditLogVerifier.Verify(args[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"cathlab audit-verify: cannot read {args[0]}: {e.Message}");
            return Task.FromResult(ExitCodes.Failure);
        }
        if (result.Intact)
        {
            output.WriteLine($"{args[0]}: {result.Records} records, chain intact");
            return Task.FromResult(ExitCodes.Success);
        }
        error.WriteLine($"{args[0]}: line {result.BrokenLine}: {result.Problem} ({result.Records} records before it verified)");
        return Task.FromResult(ExitCodes.Failure);
    }
}
