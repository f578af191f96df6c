using CathLab.Publishing.Journal;
using CathLab.Publishing.Tests.Support;
using CathLab.Testing;

namespace CathLab.Publishing.Tests;

/// <summary>The station process SIGKILLed while it delivers, twice, then started again: every object reaches the PACS,
/// counted once by SOP instance UID, and the journal ends with all of them stored and their files gone.</summary>
public sealed class KillTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static PeerProcess StartHost(string journal, int port, string spool)
    {
        var dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        return new PeerProcess(dotnet, [typeof(KillTests).Assembly.Location, "outbox-host", journal, port.ToString(System.Globalization.CultureInfo.InvariantCulture), spool]);
    }

    [Fact]
    public async Task AStationKilledMidDeliveryLosesNothingAndDeliversEachObjectOnce()
    {
        using var storescp = new Storescp(_temp.Sub("pacs")).Start();
        var spool = _temp.Sub("spool");
        var uids = Enumerable.Range(0, 12)
            .Select(i => SyntheticDicomFile.Write(Path.Combine(spool, $"run{i:00}.dcm"), frames: 4, rows: 512, columns: 512)).ToArray();
        var journal = _temp.File("outbox.db");

        // Kill once as soon as the PACS has something, and once more when it has about half.
        foreach (var killAt in new[] { 1, uids.Length / 2 })
        {
            using var host = StartHost(journal, storescp.Port, spool);
            await Eventually.True(() => storescp.ReceivedUids().Distinct().Count() >= killAt || host.HasExited, () => host.Output);
            Assert.False(host.HasExited, host.Output);
        } // PeerProcess.Dispose is Process.Kill: SIGKILL, no shutdown code runs

        await using (var outbox = Outbox.Open(TestOutbox.Options(journal, storescp.Destination())))
        {
            foreach (var file in Directory.GetFiles(spool, "*.dcm"))
            {
                outbox.Add(file); // the recorder offers what it still has; already-journalled objects keep their id
            }
            await Eventually.True(() => outbox.Counts().Committed == uids.Length, () => TestOutbox.Describe(outbox) + storescp.Log);
            var items = outbox.Items();
            Assert.Equal(uids.Order(), items.Select(i => i.SopInstanceUid).Order());
            Assert.All(items, i => Assert.Equal(DeliveryState.Committed, i.State));
            await Eventually.True(() => Directory.GetFiles(spool, "*.dcm").Length == 0, () => "files still in the spool");
        }
        var received = storescp.ReceivedUids();
        Assert.Equal(uids.Order(), received.Distinct().Order());
    }
}
