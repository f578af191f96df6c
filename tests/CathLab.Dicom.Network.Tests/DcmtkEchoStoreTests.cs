using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Dicom.Network.Tests.Support;
using CathLab.Testing;


namespace CathLab.Dicom.Network.Tests;

public sealed class DcmtkEchoStoreTests : IDisposable
{
    private static readonly AssociationOptions Options = new() { ArtimTimeout = TimeSpan.FromSeconds(20), DimseTimeout = TimeSpan.FromSeconds(60) };
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task OurEchoScuGetsSuccessFromStorescp()
    {
        var port = FreePort.Next();
        using var storescp = new PeerProcess("storescp", ["--aetitle", "STORESCP", "--output-directory", _temp.Sub("in"), port.ToString()]);
        storescp.WaitForPort(port);
        var status = await EchoScu.EchoAsync(new DicomPeer("127.0.0.1", port, "STORESCP", "CATHLAB"), Options);
        Assert.True(status.IsSuccess, status.ToString());
    }

    [Fact]
    public async Task OurStoreScuSendsFilesThatDcmdumpReadsBack()
    {
        var port = FreePort.Next();
        var inbox = _temp.Sub("in");
        using var storescp = new PeerProcess("storescp", ["--aetitle", "STORESCP", "--output-directory", inbox, "--max-pdu", "16384", port.ToString()]);
        storescp.WaitForPort(port);
        var files = Enumerable.Range(0, 4).Select(i => _temp.File($"x{i}.dcm")).ToArray();
        var uids = files.Select((f, i) => SyntheticDicomFile.Write(f, frames: 3 + i, rows: 64, columns: 64)).ToArray();
        var scu = new StoreScu(new DicomPeer("127.0.0.1", port, "STORESCP", "CATHLAB"), Options);

        var results = await scu.StoreAsync(files, associations: 2);

        Assert.All(results, r => Assert.True(r.Stored, $"{r.Status} {r.Error?.Message}"));
        var received = Directory.GetFiles(inbox);
        Assert.Equal(4, received.Length);
        foreach (var file in received)
        {
            var (code, dump) = PeerProcess.Run("dcmdump", "+L", file);
            Assert.True(code == 0, dump);
            Assert.Contains(uids.Single(u => dump.Contains(u, StringComparison.Ordinal)), dump);
            Assert.Contains("(7fe0,0010) OW", dump);
        }
    }

    [Fact]
    public async Task DcmtkEchoscuAndStorescuSucceedAgainstOurScp()
    {
        var inbox = _temp.Sub("archive");
        var stored = new List<StoredInstance>();
        await using var server = DicomServer.Start(new DicomServerOptions { AeTitle = "CATHLAB" }, new EchoScp(),
            new StoreScp(inbox) { Stored = (s, _) => { lock (stored) { stored.Add(s); } return ValueTask.CompletedTask; } });
        var port = server.Port.ToString();

        var (echoCode, echoOut) = PeerProcess.Run("echoscu", "-aet", "DCMTK", "-aec", "CATHLAB", "127.0.0.1", port);
        Assert.True(echoCode == 0, echoOut);

        var source = _temp.File("cine.dcm");
        var uid = SyntheticDicomFile.Write(source, frames: 5, rows: 128, columns: 128);
        var (storeCode, storeOut) = PeerProcess.Run("storescu", "-aet", "DCMTK", "-aec", "CATHLAB", "--max-pdu", "8192", "127.0.0.1", port, source);
        Assert.True(storeCode == 0, storeOut);

        var path = Path.Combine(inbox, uid + ".dcm");
        Assert.True(File.Exists(path), storeOut);
        Assert.Equal(uid, Assert.Single(stored).SopInstanceUid);
        var (dumpCode, dump) = PeerProcess.Run("dcmdump", "+L", path);
        Assert.True(dumpCode == 0, dump);
        Assert.Contains(uid, dump);
        Assert.Contains("MONOCHROME2", dump);
        Assert.Equal(new FileInfo(source).Length - Part10.Part10Meta.Read(source).DataSetOffset,
            new FileInfo(path).Length - Part10.Part10Meta.Read(path).DataSetOffset);
    }

    [Fact]
    public async Task StorescuToUnknownCalledAeIsRejectedAndOurScuSeesPermanentRejection()
    {
        await using var server = DicomServer.Start(new DicomServerOptions { AeTitle = "CATHLAB" }, new EchoScp());
        var (code, output) = PeerProcess.Run("echoscu", "-aec", "NOTUS", "127.0.0.1", server.Port.ToString());
        Assert.NotEqual(0, code);
        Assert.Contains("Called AE Title Not Recognized", output, StringComparison.OrdinalIgnoreCase);

        var error = await Assert.ThrowsAsync<Status.AssociationRejectedException>(
            () => EchoScu.EchoAsync(new DicomPeer("127.0.0.1", server.Port, "NOTUS", "CATHLAB"), Options));
        Assert.Equal(Status.FailureKind.Permanent, error.Kind);
    }

    public void Dispose() => _temp.Dispose();
}
