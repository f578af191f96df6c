using System.Buffers.Binary;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Pdus;

namespace CathLab.Dicom.Network.Tests;

public sealed class PduCodecTests
{
    internal static AssociateRequest SampleRequest() => new()
    {
        CalledAeTitle = "PACS",
        CallingAeTitle = "CATHLAB",
        PresentationContexts =
        [
            new PresentationContextProposal(1, "1.2.840.10008.1.1", ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"]),
            new PresentationContextProposal(3, "1.2.840.10008.5.1.4.1.1.12.1", ["1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.1"]),
        ],
        UserInformation = new UserInformation
        {
            MaxPduLength = 32768,
            ImplementationClassUid = "1.2.3.4",
            ImplementationVersionName = "TEST_1",
            AsyncOperations = new AsyncOperationsWindow(1, 1),
            RoleSelections = [new RoleSelection("1.2.840.10008.1.20.1", true, true)],
        },
    };

    [Fact]
    public void AssociateRequestRoundTrips()
    {
        var bytes = AssociatePduCodec.Encode(SampleRequest());
        Assert.Equal((byte)PduType.AssociateRequest, bytes[0]);
        Assert.Equal((uint)(bytes.Length - 6), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(2)));
        var back = AssociatePduCodec.DecodeRequest(bytes.AsSpan(6));
        Assert.Equal("PACS", back.CalledAeTitle);
        Assert.Equal("CATHLAB", back.CallingAeTitle);
        Assert.Equal(2, back.PresentationContexts.Count);
        Assert.Equal(["1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.1"], back.PresentationContexts[1].TransferSyntaxes);
        Assert.Equal(32768u, back.UserInformation.MaxPduLength);
        Assert.Equal("TEST_1", back.UserInformation.ImplementationVersionName);
        Assert.Equal(new AsyncOperationsWindow(1, 1), back.UserInformation.AsyncOperations);
        Assert.Equal(new RoleSelection("1.2.840.10008.1.20.1", true, true), Assert.Single(back.UserInformation.RoleSelections));
    }

    [Fact]
    public void AssociateAcceptRoundTripsWithRejectedContexts()
    {
        var ac = new AssociateAccept
        {
            CalledAeTitle = "PACS",
            CallingAeTitle = "CATHLAB",
            PresentationContexts =
            [
                new PresentationContextResult(1, PresentationContextOutcome.Acceptance, "1.2.840.10008.1.2.1"),
                new PresentationContextResult(3, PresentationContextOutcome.AbstractSyntaxNotSupported, ""),
            ],
            UserInformation = new UserInformation { MaxPduLength = 0, ImplementationClassUid = "1.2.3" },
        };
        var back = AssociatePduCodec.DecodeAccept(AssociatePduCodec.Encode(ac).AsSpan(6));
        Assert.True(back.PresentationContexts[0].IsAccepted);
        Assert.Equal("1.2.840.10008.1.2.1", back.PresentationContexts[0].TransferSyntax);
        Assert.Equal(PresentationContextOutcome.AbstractSyntaxNotSupported, back.PresentationContexts[1].Outcome);
        Assert.Equal(0u, back.UserInformation.MaxPduLength);
    }

    [Fact]
    public void RejectAndAbortRoundTrip()
    {
        var rj = AssociatePduCodec.DecodeReject(AssociatePduCodec.Encode(new AssociateReject(RejectResult.Transient, RejectSource.ServiceProviderPresentation, 2)).AsSpan(6));
        Assert.Equal("local limit exceeded", rj.Describe());
        var (source, reason) = AssociatePduCodec.DecodeAbort(AssociatePduCodec.EncodeAbort(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu).AsSpan(6));
        Assert.Equal((AbortSource.ServiceProvider, AbortReason.UnexpectedPdu), (source, reason));
    }

    [Fact]
    public void CommandSetRoundTripsAndStartsWithGroupLength()
    {
        var command = new CommandSet { Field = CommandField.CStoreRequest, MessageId = 7, AffectedSopClassUid = "1.2.840.10008.5.1.4.1.1.12.1", AffectedSopInstanceUid = "1.2.3" };
        command.Set(CommandTags.Priority, 0);
        command.HasDataSet = true;
        var bytes = command.Encode();
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(bytes)); // (0000,0000)
        Assert.Equal((uint)(bytes.Length - 12), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        var back = CommandSet.Decode(bytes);
        Assert.Equal(CommandField.CStoreRequest, back.Field);
        Assert.Equal(7, back.MessageId);
        Assert.Equal("1.2.3", back.AffectedSopInstanceUid);
        Assert.True(back.HasDataSet);
    }

    [Fact]
    public void PdvEnumeratorSplitsItemsAndRejectsOverlongOnes()
    {
        byte[] body = [0, 0, 0, 4, 1, 3, 0xAA, 0xBB, 0, 0, 0, 3, 1, 0, 0xCC];
        var seen = new List<(byte, bool, bool, int)>();
        foreach (var pdv in new PdvEnumerator(body))
        {
            seen.Add((pdv.ContextId, pdv.IsCommand, pdv.IsLast, pdv.Fragment.Length));
        }
        Assert.Equal([(1, true, true, 2), (1, false, false, 1)], seen);
        byte[] bad = [0, 0, 0, 9, 1, 3, 0xAA];
        Assert.Throws<PduFormatException>(() => { foreach (var _ in new PdvEnumerator(bad)) { } });
    }
}
