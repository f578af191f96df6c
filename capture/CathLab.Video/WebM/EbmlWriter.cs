using System.Buffers.Binary;
using System.Text;

namespace CathLab.Video.WebM;

/// <summary>Writes EBML elements (RFC 8794) to a seekable stream: an element is its ID (which carries its own length
/// marker), its data size as a variable-length integer, and its data. Master elements are opened with an 8-byte
/// size and patched when closed, so a writer never has to hold a whole cluster in memory.</summary>
internal sealed class EbmlWriter(Stream stream)
{
    private const int SizeFieldLength = 8;
    private readonly byte[] _scratch = new byte[16];

    public Stream Stream { get; } = stream;

    public long Position => Stream.Position;

    public void Unsigned(uint id, ulong value)
    {
        int length = 1;
        while (length < 8 && value >> (8 * length) != 0) length++;
        Id(id);
        Size(length);
        for (int i = length - 1; i >= 0; i--) Stream.WriteByte((byte)(value >> (8 * i)));
    }

    public void Float(uint id, double value)
    {
        Id(id);
        Size(8);
        BinaryPrimitives.WriteDoubleBigEndian(_scratch, value);
        Stream.Write(_scratch, 0, 8);
    }

    public void Text(uint id, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Id(id);
        Size(bytes.Length);
        Stream.Write(bytes);
    }

    /// <summary>Opens a master element; returns where its size field is, for <see cref="Close"/>.</summary>
    public long Open(uint id)
    {
        Id(id);
        long at = Stream.Position;
        Stream.Write(UnknownSize);
        return at;
    }

    /// <summary>Writes the size of the master element opened at <paramref name="sizeAt"/>, now that its data ends here.</summary>
    public void Close(long sizeAt)
    {
        long end = Stream.Position;
        Stream.Position = sizeAt;
        Size(end - sizeAt - SizeFieldLength, SizeFieldLength);
        Stream.Position = end;
    }

    public void Id(uint id)
    {
        int length = id > 0xFFFFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1;
        for (int i = length - 1; i >= 0; i--) Stream.WriteByte((byte)(id >> (8 * i)));
    }

    /// <summary>A data size as an EBML variable-length integer: the count of leading zero bits plus one is its length.</summary>
    public void Size(long size, int length = 0)
    {
        if (length == 0)
        {
            length = 1;
            while (length < 8 && size >= (1L << (7 * length)) - 1) length++;
        }
        ulong marked = (ulong)size | (1UL << (7 * length));
        for (int i = length - 1; i >= 0; i--) Stream.WriteByte((byte)(marked >> (8 * i)));
    }

    // All ones in an 8-byte size means "unknown"; it stands until Close writes the real size.
    private static ReadOnlySpan<byte> UnknownSize => [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
}
