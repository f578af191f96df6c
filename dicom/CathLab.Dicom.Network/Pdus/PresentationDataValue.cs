namespace CathLab.Dicom.Network.Pdus;

/// <summary>One PDV of a P-DATA-TF: a fragment of a command or data set for one presentation context.</summary>
public readonly ref struct PresentationDataValue(byte contextId, byte messageControlHeader, ReadOnlySpan<byte> fragment)
{
    public byte ContextId { get; } = contextId;
    public bool IsCommand { get; } = (messageControlHeader & 0x01) != 0;
    public bool IsLast { get; } = (messageControlHeader & 0x02) != 0;
    public ReadOnlySpan<byte> Fragment { get; } = fragment;
}
