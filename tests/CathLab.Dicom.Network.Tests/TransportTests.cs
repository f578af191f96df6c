using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Services.StorageCommitment;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Dicom.Network.Status;
using CathLab.Dicom.Network.Tests.Support;
using CathLab.Testing;

namespace CathLab.Dicom.Network.Tests;

/// <summary>Max PDU honoured both ways, TLS with certificate validation, flat memory for big objects, commitment on the same association.</summary>
public sealed class TransportTests : IDisposable
{
    private static readonly AssociationOptions Options = new() { ArtimTimeout = TimeSpan.FromSeconds(20), DimseTimeout = TimeSpan.FromSeconds(60) };
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task SmallMaxPduOnEitherSideIsHonoured()
    {
        // our server reads strictly: a PDU over 4096 bytes would abort the association
        var inbox = _temp.Sub("in");
        await using var server = DicomServer.Start(new DicomServerOptions { AeTitle = "CATHLAB", Association = Options with { MaxPduLength = 4096 } }, new StoreScp(inbox));
        var source = _temp.File("a.dcm");
        var uid = SyntheticDicomFile.Write(source, frames: 3, rows: 100, columns: 100);
        var scu = new StoreScu(new DicomPeer("127.0.0.1", server.Port, "CATHLAB", "SCU"), Options with { MaxPduLength = 4096 });
        var result = await scu.StoreAsync(source);
        Assert.True(result.Stored, result.Status?.ToString());
        Assert.Equal(new FileInfo(source).Length, new FileInfo(Path.Combine(inbox, uid + ".dcm")).Length);
    }

    [Fact]
    public async Task TlsAssociationWorksWithAValidatedCertificateAndFailsPermanentlyWithoutOne()
    {
        using var certificate = SelfSigned();
        var serverOptions = Options with { TlsServer = new SslServerAuthenticationOptions { ServerCertificate = certificate } };
        await using var server = DicomServer.Start(new DicomServerOptions { AeTitle = "CATHLAB", Association = serverOptions }, new EchoScp());
        var peer = new DicomPeer("127.0.0.1", server.Port, "CATHLAB", "SCU");

        var trusting = Options with
        {
            TlsClient = new SslClientAuthenticationOptions
            {
                TargetHost = "cathlab-test",
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == certificate.GetCertHashString(),
            },
        };
        Assert.True((await EchoScu.EchoAsync(peer, trusting)).IsSuccess);

        var strict = Options with { TlsClient = new SslClientAuthenticationOptions { TargetHost = "cathlab-test" } };
        var error = await Assert.ThrowsAsync<DicomNetworkException>(() => EchoScu.EchoAsync(peer, strict));
        Assert.Equal(NetworkFailureReason.TlsFailure, error.Reason);
        Assert.Equal(FailureKind.Permanent, error.Kind);
    }

    [Fact]
    public async Task CommitmentReportOnTheSameAssociationIsTaken()
    {
        var tracker = new CommitmentTracker();
        await using var pacs = DicomServer.Start(new DicomServerOptions { AeTitle = "PACS" }, new ImmediateCommitmentScp());
        var scu = new StorageCommitmentScu(new DicomPeer("127.0.0.1", pacs.Port, "PACS", "CATHLAB"), Options, tracker);
        var (transaction, reportTask) = await scu.RequestAsync([new SopReference(WellKnownUids.XRayAngiographicImageStorage, "1.2.3.4")]);
        var report = await reportTask.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(transaction, report.TransactionUid);
        Assert.True(report.ArrivedOnSameAssociation);
        Assert.True(report.AllCommitted);
        Assert.Equal("1.2.3.4", Assert.Single(report.Committed).SopInstanceUid);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=cathlab-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    /// <summary>A storage commitment SCP that reports on the same association right after answering N-ACTION.</summary>
    private sealed class ImmediateCommitmentScp : IDimseServiceProvider
    {
        public bool Supports(string abstractSyntax) => abstractSyntax == WellKnownUids.StorageCommitmentPushModel;

        public string? ChooseTransferSyntax(string abstractSyntax, IReadOnlyList<string> offered) => offered[0];

        public async Task HandleAsync(DimseRequest request, CancellationToken cancellation)
        {
            var asked = DataSetCodec.Decode(request.Message.DataSet!, request.Message.TransferSyntax);
            await request.RespondAsync(0x0000, cancellation: cancellation);
            var transaction = asked.GetString(DicomTags.TransactionUID);
            var references = asked.GetSequence(DicomTags.ReferencedSOPSequence).Items
                .Select(i => new SopReference(i.GetString(DicomTags.ReferencedSOPClassUID), i.GetString(DicomTags.ReferencedSOPInstanceUID)));
            var report = new CommandSet
            {
                Field = CommandField.NEventReportRequest,
                MessageId = request.Channel.NextMessageId(),
                AffectedSopClassUid = WellKnownUids.StorageCommitmentPushModel,
                AffectedSopInstanceUid = WellKnownUids.StorageCommitmentPushModelInstance,
            };
            report.Set(CommandTags.EventTypeId, CommitmentCodec.AllCommittedEventTypeId);
            await request.Channel.SendAsync(request.Message.ContextId, report,
                DataSetCodec.Encode(CommitmentCodec.Report(transaction, references, []), request.Message.TransferSyntax), cancellation);
            var response = await request.Channel.ReceiveAsync(TimeSpan.FromSeconds(10), cancellation: cancellation);
            Assert.Equal(CommandField.NEventReportResponse, response!.Command.Field);
            Assert.Equal((ushort)0, response.Command.Status);
        }
    }

    public void Dispose() => _temp.Dispose();
}
