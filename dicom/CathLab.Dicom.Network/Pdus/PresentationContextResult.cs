namespace CathLab.Dicom.Network.Pdus;

/// <summary>The acceptor's answer to one proposed presentation context (PS3.8 §9.3.3.2).</summary>
public sealed record PresentationContextResult(byte Id, PresentationContextOutcome Outcome, string TransferSyntax)
{
    public bool IsAccepted => Outcome == PresentationContextOutcome.Acceptance;
}

public enum PresentationContextOutcome : byte
{
    Acceptance = 0,
    UserRejection = 1,
    NoReason = 2,
    AbstractSyntaxNotSupported = 3,
    TransferSyntaxesNotSupported = 4,
}
