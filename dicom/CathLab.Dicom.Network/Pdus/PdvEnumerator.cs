using System.Buffers.Binary;

namespace CathLab.Dicom.Network.Pdus;

/// <summary>Walks the PDV items of a P-DATA-TF variable field, checking each item's length against what is left.</summary>
public ref struct PdvEnumerator(ReadOnlySpan<byte> body)
{
    private ReadOnlySpan<byte> _rest = body;

    public PresentationDataValue Current { get; private set; }

    public readonly PdvEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_rest.IsEmpty)
        {
            return false;
        }
        if (_rest.Length < 6)
        {
            throw new PduFormatException($"PDV item header truncated: {_rest.Length} bytes left");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(_rest);
        if (length < 2 || length > (uint)(_rest.Length - 4))
        {
            throw new PduFormatException($"PDV item length {length} does not fit the {_rest.Length - 4} bytes left in the PDU");
        }
        var control = _rest[5];
        if ((control & 0xFC) != 0)
        {
            throw new PduFormatException($"PDV message control header 0x{control:X2} has reserved bits set");
        }
        Current = new PresentationDataValue(_rest[4], control, _rest.Slice(6, (int)length - 2));
        _rest = _rest[(4 + (int)length)..];
        return true;
    }
}
