using System.Buffers.Binary;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Services.StorageCommitment;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Dicom.Network.Status;
using CathLab.Dicom.Network.Tests.Support;
using CathLab.Testing;

namespace CathLab.Dicom.Network.Tests;

/// <summary>The acceptor (the embedded archive's toolkit) against broken and hostile requestors: PS3.8's answers, and
/// nothing a peer sends makes the server loop, throw, lock others out or keep what it has no use for.</summary>
public sealed class HostilePeerTests : IDisposable
{
    private static readonly AssociationOptions Quick = new() { ArtimTimeout = TimeSpan.FromSeconds(1), DimseTimeout = TimeSpan.FromSeconds(20) };
    private readonly TempDirectory _temp = new();

    private DicomServer Archive(DicomServerOptions? options = null) =>
        DicomServer.Start(options ?? new DicomServerOptions { AeTitle = "ARCH", Association = Quick }, new EchoScp(), new StoreScp(_temp.Sub("archive")));

    private static async Task<(PduType Type, byte[] Body)> AssociateAsync(int port, byte[] request)
    {
        await using var peer = await RawDicomPeer.ConnectAsync(port);
        return await peer.AssociateAsync(request);
    }

    private static void AssertRejected((PduType Type, byte[] Body) answer, byte result, byte source, byte reason)
    {
        Assert.Equal(PduType.AssociateReject, answer.Type);
        Assert.Equal(new byte[] { 0, result, source, reason }, answer.Body);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(5u)]
    [InlineData(6u)]
    [InlineData(4095u)]
    public async Task PeerMaxPduBelowTheFloorIsRejectedPermanently(uint maxPdu)
    {
        await using var server = Archive();
        var answer = await AssociateAsync(server.Port, RawDicomPeer.Encode(RawDicomPeer.Request("ARCH", maxPdu: maxPdu)));
        AssertRejected(answer, 1, 1, 1); // permanent, service user, no reason given
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(4096u)]
    public async Task PeerMaxPduAtTheFloorOrUnlimitedIsServed(uint maxPdu)
    {
        await using var server = Archive();
        await using var peer = await RawDicomPeer.ConnectAsync(server.Port);
        Assert.Equal(PduType.AssociateAccept, (await peer.AssociateAsync(RawDicomPeer.Encode(RawDicomPeer.Request("ARCH", maxPdu: maxPdu)))).Type);
        await peer.SendAsync(RawDicomPeer.PData((1, true, true, RawDicomPeer.EchoCommand(1))));
        var response = await peer.ReadPduAsync();
        Assert.Equal((ushort)0, RawDicomPeer.CommandOf(response!.Value.Body.ToArray()).Status);
    }

    [Fact]
    public async Task AcceptorAdvertisingATinyMaxPduIsRefusedByOurRequestor()
    {
        await using var tiny = new ScriptedPeer(async (stream, reader) =>
        {
            var rq = AssociatePduCodec.DecodeRequest((await reader.ReadAsync(TimeSpan.FromSeconds(10), "rq"))!.Value.Body.Span);
            var accept = FailureClassificationTests.AcceptAll(rq);
            await stream.WriteAsync(AssociatePduCodec.Encode(accept with { UserInformation = accept.UserInformation with { MaxPduLength = 6 } }));
            await reader.ReadAsync(TimeSpan.FromSeconds(10), "abort");
        });
        var error = await Assert.ThrowsAsync<DicomNetworkException>(() => EchoScu.EchoAsync(new DicomPeer("127.0.0.1", tiny.Port, "TINY", "CATHLAB"), Quick))
            .WaitAsync(RawDicomPeer.Patience);
        Assert.Equal(FailureKind.Permanent, error.Kind);
        Assert.Contains("at most 6 bytes", error.Message);
    }

    [Fact]
    public async Task IdleSocketsDoNotLockOutARealEchoscu()
    {
        // ARTIM long enough that the idle sockets are all still open when echoscu calls
        await using var server = Archive(new DicomServerOptions { AeTitle = "ARCH", Association = Quick with { ArtimTimeout = TimeSpan.FromSeconds(60) } });
        using var idle = new IdleSockets(server.Port);
        await idle.OpenAsync(8);
        await Poll.UntilAsync(() => server.PendingConnectionCount == 8);
        var (code, output) = PeerProcess.Run("echoscu", "-aet", "DCMTK", "-aec", "ARCH", "127.0.0.1", server.Port.ToString());
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task PendingConnectionsAreBoundedInCountOldestFirst()
    {
        await using var server = Archive(new DicomServerOptions { AeTitle = "ARCH", MaxPendingConnections = 4, Association = Quick with { ArtimTimeout = TimeSpan.FromSeconds(60) } });
        using var idle = new IdleSockets(server.Port);
        for (var i = 0; i < 10; i++)
        {
            await idle.OpenAsync();
            await Poll.UntilAsync(() => server.PendingConnectionCount == Math.Min(i + 1, 4));
        }
        var buffer = new byte[16];
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(0, await idle.Sockets[i].GetStream().ReadAsync(buffer).AsTask().WaitAsync(RawDicomPeer.Patience)); // closed without a word
        }
        await using var peer = await RawDicomPeer.ConnectAsync(server.Port);
        Assert.Equal(PduType.AssociateAccept, (await peer.AssociateAsync(RawDicomPeer.Encode(RawDicomPeer.Request("ARCH")))).Type);
        Assert.Equal(1, server.ActiveAssociations);
    }

    [Fact]
    public async Task AssociateRequestBeyondTheCapIsAbortedBeforeItsBodyIsRead()
    {
        await using var server = Archive(new DicomServerOptions { AeTitle = "ARCH", Association = Quick with { ArtimTimeout = TimeSpan.FromSeconds(60) } });
        await using var peer = await RawDicomPeer.ConnectAsync(server.Port);
        var header = new byte[6];
        header[0] = (byte)PduType.AssociateRequest;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(2), 1 << 20);
        await peer.SendAsync(header); // and nothing more: an acceptor that buffers the declared megabyte waits here for ARTIM
        var answer = await peer.ReadPduAsync();
        Assert.Equal(PduType.Abort, answer?.Type);
    }

    [Theory]
    [InlineData(new byte[] { 1, 1 })]
    [InlineData(new byte[] { 5, 5, 5 })]
    [InlineData(new byte[] { 2 })]
    public async Task DuplicateOrEvenContextIdsAreRejected(byte[] ids)
    {
        await using var server = Archive();
        var contexts = ids.Select(id => new PresentationContextProposal(id, WellKnownUids.Verification, [WellKnownUids.ImplicitVrLittleEndian])).ToArray();
        AssertRejected(await AssociateAsync(server.Port, RawDicomPeer.Encode(RawDicomPeer.Request("ARCH", contexts))), 1, 2, 1);
    }

    [Fact]
    public async Task MoreThan128ContextsAreRejectedNotWrapped()
    {
        await using var server = Archive();
        var contexts = Enumerable.Range(0, 129)
            .Select(i => new PresentationContextProposal((byte)(2 * i + 1), WellKnownUids.Verification, [WellKnownUids.ImplicitVrLittleEndian])).ToArray();
        AssertRejected(await AssociateAsync(server.Port, RawDicomPeer.Encode(RawDicomPeer.Request("ARCH", contexts))), 1, 2, 1);
    }

    [Fact]
    public async Task ScpRoleOnAStorageClassIsTurnedDownAsPs37Says()
    {
        await using var server = DicomServer.Start(new DicomServerOptions { AeTitle = "ARCH", Association = Quick },
            new EchoScp(), new StoreScp(_temp.Sub("archive")), new CommitmentReportReceiver(new CommitmentTracker()));
        var contexts = new PresentationContextProposal[]
        {
            new(1, WellKnownUids.XRayAngiographicImageStorage, [WellKnownUids.ImplicitVrLittleEndian]),
            new(3, WellKnownUids.SecondaryCaptureImageStorage, [WellKnownUids.ImplicitVrLittleEndian]),
            new(5, WellKnownUids.Verification, [WellKnownUids.ImplicitVrLittleEndian]),
        };
        RoleSelection[] roles =
        [
            new(WellKnownUids.XRayAngiographicImageStorage, ScuRole: false, ScpRole: true), // getscu's proposal: we would have to send
            new(WellKnownUids.SecondaryCaptureImageStorage, ScuRole: true, ScpRole: true),
        ];
        var answer = await AssociateAsync(server.Port, RawDicomPeer.Encode(RawDicomPeer.Request("ARCH", contexts, roles: roles)));
        Assert.Equal(PduType.AssociateAccept, answer.Type);
        var accept = AssociatePduCodec.DecodeAccept(answer.Body);
        Assert.Equal(
            [new RoleSelection(WellKnownUids.XRayAngiographicImageStorage, false, false), new RoleSelection(WellKnownUids.SecondaryCaptureImageStorage, true, false)],
            accept.UserInformation.RoleSelections);
        Assert.Equal(PresentationContextOutcome.UserRejection, accept.PresentationContexts.Single(c => c.Id == 1).Outcome);
        Assert.Equal(PresentationContextOutcome.Acceptance, accept.PresentationContexts.Single(c => c.Id == 3).Outcome);
        Assert.Equal(PresentationContextOutcome.Acceptance, accept.PresentationContexts.Single(c => c.Id == 5).Outcome);
    }

    [Fact]
    public async Task ProtocolVersionWithoutBitZeroIsRejectedAsUnsupported()
    {
        await using var server = Archive();
        AssertRejected(await AssociateAsync(server.Port, RawDicomPeer.Encode(RawDicomPeer.Request("ARCH", version: 2))), 1, 2, 2);
    }

    [Fact]
    public async Task BlankCallingAeIsRejectedAsNotRecognized()
    {
        await using var server = Archive();
        var blank = RawDicomPeer.WithBlankCallingAe(RawDicomPeer.Encode(RawDicomPeer.Request("ARCH")));
        AssertRejected(await AssociateAsync(server.Port, blank), 1, 1, 3);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("1..2")]
    [InlineData(".1.2")]
    [InlineData("1.2.")]
    [InlineData("1.02.3")]
    [InlineData("1.2/3")]
    public async Task StoreWithAnInstanceUidThatIsNotAUidGetsA900AndWritesNothing(string uid)
    {
        var folder = _temp.Sub("archive");
        await using var server = Archive();
        await using var peer = await RawDicomPeer.ConnectAsync(server.Port);
        var contexts = new[] { new PresentationContextProposal(1, WellKnownUids.SecondaryCaptureImageStorage, [WellKnownUids.ImplicitVrLittleEndian]) };
        Assert.Equal(PduType.AssociateAccept, (await peer.AssociateAsync(RawDicomPeer.Encode(RawDicomPeer.Request("ARCH", contexts)))).Type);
        await peer.SendAsync(RawDicomPeer.PData(
            (1, true, true, RawDicomPeer.StoreCommand(1, WellKnownUids.SecondaryCaptureImageStorage, uid)),
            (1, false, true, new byte[64])));
        var response = RawDicomPeer.CommandOf((await peer.ReadPduAsync())!.Value.Body.ToArray());
        Assert.Equal((ushort)0xA900, response.Status);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task InterruptedTransferLeavesNoPartFile()
    {
        var folder = _temp.Sub("archive");
        await using var server = Archive();
        await using (var peer = await RawDicomPeer.ConnectAsync(server.Port))
        {
            var contexts = new[] { new PresentationContextProposal(1, WellKnownUids.SecondaryCaptureImageStorage, [WellKnownUids.ImplicitVrLittleEndian]) };
            Assert.Equal(PduType.AssociateAccept, (await peer.AssociateAsync(RawDicomPeer.Encode(RawDicomPeer.Request("ARCH", contexts)))).Type);
            await peer.SendAsync(RawDicomPeer.PData((1, true, true, RawDicomPeer.StoreCommand(1, WellKnownUids.SecondaryCaptureImageStorage, "1.2.3.4"))));
            await peer.SendDataSetAsync(1, length: 8 << 20, until: 2 << 20);
            await Poll.UntilAsync(() => Directory.GetFiles(folder, "*.part").Length == 1);
        } // the connection drops mid data set
        await Poll.UntilAsync(() => server.ActiveAssociations == 0);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task SimultaneousStoresOfOneInstanceBothGetAStatus()
    {
        const string uid = "1.2.826.0.1.3680043.2.1143.77";
        const long length = 4 << 20;
        var folder = _temp.Sub("archive");
        await using var server = Archive();
        var contexts = new[] { new PresentationContextProposal(1, WellKnownUids.SecondaryCaptureImageStorage, [WellKnownUids.ImplicitVrLittleEndian]) };
        await using var first = await RawDicomPeer.ConnectAsync(server.Port);
        await using var second = await RawDicomPeer.ConnectAsync(server.Port);
        foreach (var peer in new[] { first, second })
        {
            Assert.Equal(PduType.AssociateAccept, (await peer.AssociateAsync(RawDicomPeer.Encode(RawDicomPeer.Request("ARCH", contexts)))).Type);
            await peer.SendAsync(RawDicomPeer.PData((1, true, true, RawDicomPeer.StoreCommand(1, WellKnownUids.SecondaryCaptureImageStorage, uid))));
        }
        await first.SendDataSetAsync(1, length, until: 1 << 20);
        await Poll.UntilAsync(() => Directory.GetFiles(folder, "*.part").Length >= 1);

        await second.SendDataSetAsync(1, length); // the whole object while the first is half-way
        var secondAnswer = await second.ReadPduAsync();
        await first.SendDataSetAsync(1, length, from: 1 << 20);
        var firstAnswer = await first.ReadPduAsync();

        foreach (var answer in new[] { secondAnswer, firstAnswer })
        {
            Assert.Equal(PduType.DataTransfer, answer?.Type); // a status, not an A-ABORT
            Assert.Equal((ushort)0, RawDicomPeer.CommandOf(answer!.Value.Body.ToArray()).Status);
        }
        Assert.Equal([Path.Combine(folder, uid + ".dcm")], Directory.GetFiles(folder));
    }

    [Fact]
    public void PartFilesLeftByAKilledProcessAreRemovedAtStart()
    {
        var folder = _temp.Sub("archive");
        File.WriteAllBytes(Path.Combine(folder, "1.2.3.part"), new byte[100]);
        File.WriteAllBytes(Path.Combine(folder, "1.2.3.dcm"), new byte[100]);
        _ = new StoreScp(folder);
        Assert.Equal([Path.Combine(folder, "1.2.3.dcm")], Directory.GetFiles(folder));
    }

    [Fact]
    public async Task TwoEchoRequestsInOnePduAreBothAnswered()
    {
        await using var server = Archive();
        await using var peer = await RawDicomPeer.ConnectAsync(server.Port);
        Assert.Equal(PduType.AssociateAccept, (await peer.AssociateAsync(RawDicomPeer.Encode(RawDicomPeer.Request("ARCH")))).Type);
        await peer.SendAsync(RawDicomPeer.PData((1, true, true, RawDicomPeer.EchoCommand(7)), (1, true, true, RawDicomPeer.EchoCommand(8))));
        var first = RawDicomPeer.CommandOf((await peer.ReadPduAsync())!.Value.Body.ToArray());
        var second = RawDicomPeer.CommandOf((await peer.ReadPduAsync())!.Value.Body.ToArray());
        Assert.Equal([(ushort)7, (ushort)8], new[] { first.MessageIdBeingRespondedTo, second.MessageIdBeingRespondedTo });
        Assert.All(new[] { first, second }, c => Assert.Equal((ushort)0, c.Status));
    }

    [Theory]
    [InlineData(new byte[] { 0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0 })] // A-RELEASE-RQ
    [InlineData(new byte[] { 0x04, 0, 0, 0, 0, 6, 0, 0, 0, 2, 1, 3 })] // P-DATA-TF
    [InlineData(new byte[] { 0x02, 0, 0, 0, 0, 2, 0, 1 })] // a truncated A-ASSOCIATE-AC
    [InlineData(new byte[] { 0x09, 0, 0, 0, 0, 0 })] // no such PDU type
    [InlineData(new byte[] { 0x01, 0, 0, 0, 0, 4, 0, 1, 0, 0 })] // an A-ASSOCIATE-RQ too short to decode
    public async Task AWrongFirstPduGetsExactlyOneAbort(byte[] first)
    {
        await using var server = Archive();
        await using var peer = await RawDicomPeer.ConnectAsync(server.Port);
        await peer.SendAsync(first);
        var answers = await peer.ReadUntilClosedAsync(); // the server closes once ARTIM (1 s) runs out
        var abort = Assert.Single(answers);
        Assert.Equal(PduType.Abort, abort.Type);
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, abort.Body); // AA-1: service-user source
    }

    [Fact]
    public async Task AnAbortAsTheFirstPduIsNotAnswered()
    {
        await using var server = Archive();
        await using var peer = await RawDicomPeer.ConnectAsync(server.Port);
        await peer.SendAsync(AssociatePduCodec.EncodeAbort(AbortSource.ServiceUser, AbortReason.NotSpecified));
        Assert.Empty(await peer.ReadUntilClosedAsync());
    }

    public void Dispose() => _temp.Dispose();
}
