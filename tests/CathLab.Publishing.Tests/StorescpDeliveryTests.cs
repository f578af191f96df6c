using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Publishing.Journal;
using CathLab.Publishing.Tests.Support;
using CathLab.Testing;

namespace CathLab.Publishing.Tests;

/// <summary>Delivery to real peers: dcmtk's storescp, and our own SCP where a peer must refuse or stall on purpose.
/// These destinations do not use storage commitment, so a stored object is final.</summary>
public sealed class StorescpDeliveryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string[] WriteRuns(int count, string prefix = "run") => SpooledRuns.Write(_temp, count, prefix);

    private static string UidOf(string path) => Dicom.Network.Part10.Part10Meta.Read(path).SopInstanceUid;

    [Fact]
    public async Task DeliversToStorescpAndDeletesTheFiles()
    {
        using var storescp = new Storescp(_temp.Sub("in")).Start();
        var files = WriteRuns(3);
        var uids = files.Select(UidOf).ToArray();
        await using var outbox = Outbox.Open(TestOutbox.Options(_temp.File("outbox.db"), storescp.Destination()));

        foreach (var file in files)
        {
            outbox.Add(file);
        }

        await Eventually.True(() => outbox.Counts().Committed == 3, () => TestOutbox.Describe(outbox) + storescp.Log);
        Assert.Equal(uids.Order(), storescp.ReceivedUids().Order());
        await Eventually.True(() => files.All(f => !File.Exists(f)), () => "files still on disk");
        Assert.All(outbox.Items(), i => Assert.True(i.FileReleased));
        Assert.All(outbox.Items(), i => Assert.Equal(1, i.Attempts));
    }

    [Fact]
    public async Task RetriesUntilThePeerComesUp()
    {
        var storescp = new Storescp(_temp.Sub("in"));
        var files = WriteRuns(2);
        var uids = files.Select(UidOf).ToArray();
        await using var outbox = Outbox.Open(TestOutbox.Options(_temp.File("outbox.db"), storescp.Destination()));
        foreach (var file in files)
        {
            outbox.Add(file);
        }

        await Eventually.True(() => outbox.Items().All(i => i.Attempts >= 2), () => TestOutbox.Describe(outbox));
        Assert.All(outbox.Items(), i =>
        {
            Assert.Equal(DeliveryState.Pending, i.State);
            Assert.False(i.Permanent);
            Assert.Contains("cannot connect", i.LastError, StringComparison.Ordinal);
        });

        using (storescp.Start())
        {
            await Eventually.True(() => outbox.Counts().Committed == 2, () => TestOutbox.Describe(outbox) + storescp.Log);
        }
        Assert.Equal(uids.Order(), storescp.ReceivedUids().Order());
        Assert.All(outbox.Items(), i => Assert.Null(i.LastError));
    }

    [Fact]
    public async Task APermanentRefusalEndsFailedWithTheReasonAndIsNotRetried()
    {
        var refusing = new RefusingStoreScp(0xA900, "Patient ID missing");
        await using var peer = DicomServer.Start(new DicomServerOptions { AeTitle = "STRICT" }, refusing);
        var strict = new PacsDestination("strict", "STRICT", "127.0.0.1", peer.Port) { RequestCommitment = false };
        using var storescp = new Storescp(_temp.Sub("in")).Start();
        var file = WriteRuns(1).Single();
        await using var outbox = Outbox.Open(TestOutbox.Options(_temp.File("outbox.db"), strict, storescp.Destination()));

        var id = outbox.Add(file, destinations: ["strict"]);

        await Eventually.True(() => outbox.Counts().Failed == 1, () => TestOutbox.Describe(outbox));
        var failed = Assert.Single(outbox.Items());
        Assert.True(failed.Permanent);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("A900", failed.LastError, StringComparison.Ordinal);
        Assert.Contains("Patient ID missing", failed.LastError, StringComparison.Ordinal);

        // the operator retries: one more attempt, refused again the same way
        Assert.Equal(1, outbox.Retry(id));
        await Eventually.True(() => outbox.Items().Single().Attempts == 2 && outbox.Counts().Failed == 1, () => TestOutbox.Describe(outbox));
        Assert.Equal(2, refusing.Requests);

        // ... then sends it elsewhere; the file stays until the failed delivery is given up
        outbox.SendElsewhere(id, "storescp");
        await Eventually.True(() => outbox.Counts().Committed == 1, () => TestOutbox.Describe(outbox) + storescp.Log);
        Assert.True(File.Exists(file));
        Assert.True(outbox.Abandon(id, "strict"));
        Assert.False(File.Exists(file));
        Assert.Equal(2, refusing.Requests);
    }

    [Fact]
    public async Task APeerThatTakesNoImagesFailsTheObjectWithoutRetrying()
    {
        // a DICOM node that answers echo only: it accepts the association but none of our storage contexts
        await using var peer = DicomServer.Start(new DicomServerOptions { AeTitle = "ECHOONLY" }, new Dicom.Network.Services.Echo.EchoScp());
        var echoOnly = new PacsDestination("echo-only", "ECHOONLY", "127.0.0.1", peer.Port) { RequestCommitment = false };
        var file = WriteRuns(1).Single();
        await using var outbox = Outbox.Open(TestOutbox.Options(_temp.File("outbox.db"), echoOnly));

        outbox.Add(file);

        await Eventually.True(() => outbox.Counts().Failed == 1, () => TestOutbox.Describe(outbox));
        var failed = Assert.Single(outbox.Items());
        Assert.True(failed.Permanent);
        Assert.Contains("none of the presentation contexts", failed.LastError, StringComparison.Ordinal);
        Assert.True(File.Exists(file));
    }

    [Fact]
    public async Task AnOutboxClosedMidSendDeliversEachObjectOnceAfterReopening()
    {
        var inbox = _temp.Sub("archive");
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stored = new List<string>();
        // The PACS has the object on disk but has not answered yet: the worst moment for the station to die.
        var scp = new StoreScp(inbox)
        {
            Stored = async (s, _) =>
            {
                lock (stored)
                {
                    stored.Add(s.SopInstanceUid);
                }
                if (held.TrySetResult())
                {
                    await release.Task;
                }
            },
        };
        await using var peer = DicomServer.Start(new DicomServerOptions { AeTitle = "PACS" }, scp);
        var pacs = new PacsDestination("pacs", "PACS", "127.0.0.1", peer.Port) { RequestCommitment = false };
        var files = WriteRuns(3);
        var options = TestOutbox.Options(_temp.File("outbox.db"), pacs);
        // the stalled peer never reads our A-ABORT; do not wait long for it to close
        options = options with { Association = options.Association with { ArtimTimeout = TimeSpan.FromSeconds(1) } };

        var first = Outbox.Open(options);
        foreach (var file in files)
        {
            first.Add(file);
        }
        await held.Task.WaitAsync(Eventually.Bound);
        Assert.Equal(1, first.Counts().Sending);
        await first.DisposeAsync();
        release.SetResult();

        await using var second = Outbox.Open(options);
        await Eventually.True(() => second.Counts().Committed == 3, () => TestOutbox.Describe(second));

        Assert.True(Directory.GetFiles(inbox, "*.dcm").Length == 3, string.Join(", ", Directory.GetFiles(inbox))); // one per SOP instance UID
        lock (stored)
        {
            Assert.Equal(3, stored.Distinct().Count());
            Assert.True(stored.Count is 3 or 4, string.Join(", ", stored)); // the interrupted one may have been sent twice
        }
        await Eventually.True(() => files.All(f => !File.Exists(f)), () => "files still on disk");
    }
}
