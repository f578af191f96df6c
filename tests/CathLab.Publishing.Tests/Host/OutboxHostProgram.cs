using CathLab.Publishing.Tests.Support;

namespace CathLab.Publishing.Tests.Host;

/// <summary>
/// A test-only station process: `dotnet CathLab.Publishing.Tests.dll outbox-host JOURNAL PORT SPOOL` opens the outbox on
/// JOURNAL with storescp on PORT as its destination, adds every *.dcm in SPOOL and delivers until it is killed (or two
/// minutes pass, so a lost parent leaves nothing behind for long).
/// </summary>
public static class OutboxHostProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["outbox-host", var journal, var port, var spool])
        {
            await Console.Error.WriteLineAsync("usage: outbox-host JOURNAL PORT SPOOL");
            return 2;
        }
        var destination = new PacsDestination("storescp", Storescp.AeTitle, "127.0.0.1", int.Parse(port, System.Globalization.CultureInfo.InvariantCulture))
        {
            RequestCommitment = false,
        };
        await using var outbox = Outbox.Open(TestOutbox.Options(journal, destination));
        foreach (var file in Directory.GetFiles(spool, "*.dcm").Order(StringComparer.Ordinal))
        {
            outbox.Add(file);
            Console.WriteLine($"added {file}");
        }
        await Task.Delay(TimeSpan.FromMinutes(2));
        return 0;
    }
}
