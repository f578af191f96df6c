using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Dicom.Network.Tests.Support;
using CathLab.Testing;

namespace CathLab.Dicom.Network.Tests;

[CollectionDefinition(nameof(FlatMemoryTests), DisableParallelization = true)]
public sealed class FlatMemoryCollection;

/// <summary>Allocation is measured process-wide, so this runs alone, not beside the other test classes.</summary>
[Collection(nameof(FlatMemoryTests))]
public sealed class FlatMemoryTests : IDisposable
{
    private static readonly AssociationOptions Options = new() { ArtimTimeout = TimeSpan.FromSeconds(20), DimseTimeout = TimeSpan.FromSeconds(60) };
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task LargeObjectStreamsWithFlatMemory()
    {
        var port = FreePort.Next();
        using var storescp = new PeerProcess("storescp", ["--aetitle", "STORESCP", "--output-directory", _temp.Sub("in"), "--max-pdu", "131072", port.ToString()]);
        storescp.WaitForPort(port);
        var source = _temp.File("big.dcm");
        SyntheticDicomFile.Write(source, frames: 48, rows: 1024, columns: 1024); // 100 MB
        var scu = new StoreScu(new DicomPeer("127.0.0.1", port, "STORESCP", "CATHLAB"), Options);
        await scu.StoreAsync(source); // warm up code paths and pools

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await scu.StoreAsync(source);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.True(result.Stored, result.Status?.ToString());
        Assert.True(allocated < 4 << 20, $"sending a {new FileInfo(source).Length >> 20} MB object allocated {allocated >> 10} KB");
    }

    [Fact]
    public async Task EchoCarryingADataSetIsDroppedAsItStreams()
    {
        await using var server = DicomServer.Start(new DicomServerOptions { AeTitle = "ARCH", Association = Options }, new Services.Echo.EchoScp());
        await using var peer = await RawDicomPeer.ConnectAsync(server.Port);
        Assert.Equal(Pdus.PduType.AssociateAccept, (await peer.AssociateAsync(RawDicomPeer.Encode(RawDicomPeer.Request("ARCH")))).Type);
        const long length = 64 << 20;

        var before = GC.GetTotalAllocatedBytes(precise: true);
        await peer.SendAsync(RawDicomPeer.PData((1, true, true, RawDicomPeer.EchoCommand(1, withDataSet: true))));
        await peer.SendDataSetAsync(1, length);
        var response = await peer.ReadPduAsync();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal((ushort)0, RawDicomPeer.CommandOf(response!.Value.Body.ToArray()).Status);
        Assert.True(allocated < 8 << 20, $"a C-ECHO with a {length >> 20} MB data set allocated {allocated >> 10} KB");
    }

    public void Dispose() => _temp.Dispose();
}
