using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Services.StorageCommitment;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Dicom.Network.Tests.Support;
using CathLab.Testing;

namespace CathLab.Dicom.Network.Tests;

/// <summary>Several contexts, each offering several transfer syntaxes: the acceptor picks per context and both sides use the pick.</summary>
public sealed class NegotiationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task EachContextGetsOneTransferSyntaxAndUnsupportedOnesAreRefused()
    {
        await using var server = DicomServer.Start(new DicomServerOptions { AeTitle = "CATHLAB" },
            new EchoScp(), new StoreScp(_temp.Path), new CommitmentReportReceiver(new CommitmentTracker()));
        var contexts = ScuAssociation.Contexts(
            (WellKnownUids.Verification, [WellKnownUids.ImplicitVrLittleEndian, WellKnownUids.ExplicitVrLittleEndian]),
            (WellKnownUids.XRayAngiographicImageStorage, ["1.2.840.10008.1.2.4.100", WellKnownUids.ImplicitVrLittleEndian]),
            ("1.2.3.4.5.6.7", [WellKnownUids.ExplicitVrLittleEndian]),
            (WellKnownUids.SecondaryCaptureImageStorage, ["1.2.840.10008.1.2.4.100"]),
            (WellKnownUids.StorageCommitmentPushModel, [WellKnownUids.ImplicitVrLittleEndian]));
        await using var association = await ScuAssociation.OpenAsync(new DicomPeer("127.0.0.1", server.Port, "CATHLAB", "SCU"),
            new AssociationOptions(), contexts, [new RoleSelection(WellKnownUids.StorageCommitmentPushModel, ScuRole: false, ScpRole: true)]);

        Assert.Equal(WellKnownUids.ExplicitVrLittleEndian, association.FindContext(WellKnownUids.Verification)!.TransferSyntax);
        Assert.Equal(WellKnownUids.ImplicitVrLittleEndian, association.FindContext(WellKnownUids.XRayAngiographicImageStorage)!.TransferSyntax);
        Assert.Null(association.FindContext("1.2.3.4.5.6.7"));
        Assert.Null(association.FindContext(WellKnownUids.SecondaryCaptureImageStorage));
        var results = association.Accept.PresentationContexts;
        Assert.Equal(PresentationContextOutcome.AbstractSyntaxNotSupported, results.Single(r => r.Id == 5).Outcome);
        Assert.Equal(PresentationContextOutcome.TransferSyntaxesNotSupported, results.Single(r => r.Id == 7).Outcome);
        Assert.Equal(new RoleSelection(WellKnownUids.StorageCommitmentPushModel, false, true), Assert.Single(association.Accept.UserInformation.RoleSelections));
        Assert.Equal(Implementation.ClassUid, association.Accept.UserInformation.ImplementationClassUid);
        Assert.Equal(Implementation.VersionName, association.Accept.UserInformation.ImplementationVersionName);

        Assert.True((await EchoScu.EchoAsync(new Dimse.DimseChannel(association))).IsSuccess);
        await association.ReleaseAsync();
        Assert.Equal(AssociationState.Closed, association.State);
    }

    public void Dispose() => _temp.Dispose();
}
