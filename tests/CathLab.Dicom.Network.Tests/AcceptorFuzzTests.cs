using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Dicom.Network.Tests.Support;
using CathLab.Testing;

namespace CathLab.Dicom.Network.Tests;

/// <summary>The hostile shapes (<see cref="HostileShapes"/>), seeded, on many connections at once against the acceptor the
/// embedded archive runs: each gets its PS3.8 answer, and afterwards nothing is left open, half-written or wrongly named.</summary>
public sealed class AcceptorFuzzTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task EveryShapeGetsItsAnswerAndTheServerIsCleanAfterwards()
    {
        var folder = _temp.Sub("archive");
        // ARTIM bounds only the server's wait on peers that never finish (no shape waits for it). A 1 s ARTIM ran out, on
        // the loaded two-core test machine, before a cold server had read the first batch's requests; the echo below
        // warms the accepting path so that the shapes meet the server as a peer in the field would.
        var options = new AssociationOptions { ArtimTimeout = TimeSpan.FromSeconds(5), DimseTimeout = TimeSpan.FromSeconds(5) };
        var failures = new List<Exception>();
        await using var server = DicomServer.Start(new DicomServerOptions { AeTitle = "ARCH", Association = options }, new EchoScp(), new StoreScp(folder));
        server.AssociationFailed += e => { lock (failures) failures.Add(e); };
        Assert.True((await EchoScu.EchoAsync(new DicomPeer("127.0.0.1", server.Port, "ARCH", "CATHLAB"), options)).IsSuccess);
        var shapes = new HostileShapes(server.Port, "ARCH", seed: 20261206);
        var wrong = await shapes.RunRoundsAsync(20 * HostileShapes.Count);
        Assert.Empty(wrong);
        await Poll.UntilAsync(() => server.ActiveAssociations == 0 && server.PendingConnectionCount == 0);
        Assert.True((await EchoScu.EchoAsync(new DicomPeer("127.0.0.1", server.Port, "ARCH", "CATHLAB"), options)).IsSuccess);
        Assert.Empty(Directory.GetFiles(folder, "*.part"));
        Assert.All(Directory.GetFiles(folder), f => Assert.True(Uids.DicomUidGenerator.IsValid(Path.GetFileNameWithoutExtension(f)), f));
        lock (failures)
        {
            // the server reports what it refused; nothing may escape as anything but the toolkit's own exceptions
            Assert.All(failures, e => Assert.True(e is PduFormatException or Status.DicomNetworkException, e.ToString()));
        }
    }

    public void Dispose() => _temp.Dispose();
}
