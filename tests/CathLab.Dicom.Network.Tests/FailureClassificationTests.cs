using System.Net;
using System.Net.Sockets;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Status;
using CathLab.Dicom.Network.Tests.Support;
using CathLab.Testing;


namespace CathLab.Dicom.Network.Tests;

public sealed class FailureClassificationTests
{
    private static readonly AssociationOptions Quick = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ArtimTimeout = TimeSpan.FromSeconds(1),
        DimseTimeout = TimeSpan.FromSeconds(1),
    };

    [Fact]
    public async Task PeerDownIsTransientConnectionRefused()
    {
        var port = FreePort.Next();
        var error = await Assert.ThrowsAsync<DicomNetworkException>(() => EchoScu.EchoAsync(new DicomPeer("127.0.0.1", port, "NOBODY", "CATHLAB"), Quick));
        Assert.Equal(NetworkFailureReason.ConnectionRefused, error.Reason);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task PeerThatAcceptsTcpButNeverAnswersTimesOutOnArtim()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();
        var error = await Assert.ThrowsAsync<DicomTimeoutException>(() => EchoScu.EchoAsync(new DicomPeer("127.0.0.1", port, "HANG", "CATHLAB"), Quick))
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(error.IsTransient);
        Assert.Contains("A-ASSOCIATE-AC", error.Message);
        (await accepted).Dispose();
    }

    [Fact]
    public async Task PeerThatAcceptsAssociationThenGoesSilentTimesOutOnDimse()
    {
        await using var silent = new ScriptedPeer(async (stream, reader) =>
        {
            var rq = await reader.ReadAsync(TimeSpan.FromSeconds(10), "rq");
            var request = AssociatePduCodec.DecodeRequest(rq!.Value.Body.Span);
            await stream.WriteAsync(AssociatePduCodec.Encode(AcceptAll(request)));
            await Task.Delay(TimeSpan.FromSeconds(20));
        });
        var error = await Assert.ThrowsAsync<DicomTimeoutException>(() => EchoScu.EchoAsync(new DicomPeer("127.0.0.1", silent.Port, "SILENT", "CATHLAB"), Quick))
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("DIMSE", error.Message);
    }

    [Fact]
    public async Task PeerThatAbortsIsReportedAsAbortTransient()
    {
        await using var aborting = new ScriptedPeer(async (stream, reader) =>
        {
            await reader.ReadAsync(TimeSpan.FromSeconds(10), "rq");
            await stream.WriteAsync(AssociatePduCodec.EncodeAbort(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu));
        });
        var error = await Assert.ThrowsAsync<AssociationAbortedException>(() => EchoScu.EchoAsync(new DicomPeer("127.0.0.1", aborting.Port, "ABORT", "CATHLAB"), Quick));
        Assert.Equal(AbortReason.UnexpectedPdu, error.AbortReason);
        Assert.True(error.IsTransient);
    }

    [Theory]
    [InlineData(RejectResult.Transient, FailureKind.Transient)]
    [InlineData(RejectResult.Permanent, FailureKind.Permanent)]
    public async Task RejectionCarriesItsResultAsClassification(RejectResult result, FailureKind expected)
    {
        await using var rejecting = new ScriptedPeer(async (stream, reader) =>
        {
            await reader.ReadAsync(TimeSpan.FromSeconds(10), "rq");
            await stream.WriteAsync(AssociatePduCodec.Encode(new AssociateReject(result, RejectSource.ServiceProviderPresentation, 1)));
        });
        var error = await Assert.ThrowsAsync<AssociationRejectedException>(() => EchoScu.EchoAsync(new DicomPeer("127.0.0.1", rejecting.Port, "RJ", "CATHLAB"), Quick));
        Assert.Equal(expected, error.Kind);
        Assert.Contains("temporary congestion", error.Message);
    }

    [Fact]
    public async Task ServerBeyondItsAssociationLimitRejectsTransiently()
    {
        await using var server = DicomServer.Start(new DicomServerOptions { AeTitle = "CATHLAB", MaxAssociations = 1 }, new EchoScp());
        var peer = new DicomPeer("127.0.0.1", server.Port, "CATHLAB", "SCU");
        await using var first = await ScuAssociation.OpenAsync(peer, Quick, ScuAssociation.Contexts((Services.WellKnownUids.Verification, Services.WellKnownUids.UncompressedTransferSyntaxes)));
        var error = await Assert.ThrowsAsync<AssociationRejectedException>(() => EchoScu.EchoAsync(peer, Quick));
        Assert.Equal(FailureKind.Transient, error.Kind);
    }

    [Fact]
    public async Task OurServerDropsAConnectionThatNeverSendsARequest()
    {
        await using var server = DicomServer.Start(new DicomServerOptions { AeTitle = "CATHLAB", Association = Quick }, new EchoScp());
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port);
        var buffer = new byte[16];
        var read = await client.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, read); // ARTIM expired: the server closed without a word
    }

    [Fact]
    public void StatusCodesAreClassified()
    {
        Assert.Equal(FailureKind.Transient, DimseStatusCatalog.Describe(0xA702).Failure);
        Assert.Equal(FailureKind.Permanent, DimseStatusCatalog.Describe(0x0122).Failure);
        Assert.Equal(FailureKind.Permanent, DimseStatusCatalog.Describe(0xA900).Failure);
        Assert.Equal(FailureKind.Permanent, DimseStatusCatalog.Describe(0xC123).Failure);
        Assert.Equal(FailureKind.Permanent, DimseStatusCatalog.Describe(0x0211).Failure);
        Assert.Equal(FailureKind.Permanent, DimseStatusCatalog.Describe(0x0212).Failure);
        Assert.Equal(FailureKind.Transient, DimseStatusCatalog.Describe(0x0213).Failure);
        Assert.True(DimseStatusCatalog.Describe(0xFF01).IsPending);
        Assert.True(DimseStatusCatalog.Describe(0xB007).IsWarning);
        Assert.True(DimseStatusCatalog.Describe(0xB007).IsDone);
        Assert.True(DimseStatusCatalog.Describe(0x0000).IsSuccess);
        Assert.Contains("SOP class not supported", DimseStatusCatalog.Describe(0x0122).Meaning);
    }

    internal static AssociateAccept AcceptAll(AssociateRequest request) => new()
    {
        CalledAeTitle = request.CalledAeTitle,
        CallingAeTitle = request.CallingAeTitle,
        PresentationContexts = [.. request.PresentationContexts.Select(p => new PresentationContextResult(p.Id, PresentationContextOutcome.Acceptance, p.TransferSyntaxes[0]))],
        UserInformation = new UserInformation { MaxPduLength = 16384, ImplementationClassUid = "1.2.3" },
    };
}
