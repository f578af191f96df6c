using System.Buffers.Binary;
using System.Text;
using CathLab.Dicom.Network.Pdus;

namespace CathLab.Dicom.Network.Dimse;

/// <summary>
/// A DIMSE command set: group 0000 elements, always encoded implicit VR little endian (PS3.7 §6.3.1)
/// with (0000,0000) group length first. Values are held raw; typed accessors read them.
/// </summary>
public sealed class CommandSet
{
    /// <summary>Commands are tiny; anything beyond this is a broken or hostile peer.</summary>
    public const int MaxEncodedLength = 64 * 1024;

    private readonly SortedDictionary<uint, byte[]> _elements = [];

    public CommandField Field
    {
        get => (CommandField)(GetUInt16(CommandTags.CommandField) ?? throw new PduFormatException("command set has no Command Field (0000,0100)"));
        set => Set(CommandTags.CommandField, (ushort)value);
    }

    public ushort MessageId
    {
        get => GetUInt16(CommandTags.MessageId) ?? 0;
        set => Set(CommandTags.MessageId, value);
    }

    public ushort MessageIdBeingRespondedTo
    {
        get => GetUInt16(CommandTags.MessageIdBeingRespondedTo) ?? 0;
        set => Set(CommandTags.MessageIdBeingRespondedTo, value);
    }

    public bool HasDataSet
    {
        get => (GetUInt16(CommandTags.CommandDataSetType) ?? CommandTags.NoDataSet) != CommandTags.NoDataSet;
        set => Set(CommandTags.CommandDataSetType, value ? (ushort)0x0000 : CommandTags.NoDataSet);
    }

    public ushort? Status
    {
        get => GetUInt16(CommandTags.Status);
        set => Set(CommandTags.Status, value ?? 0);
    }

    public string? AffectedSopClassUid
    {
        get => GetString(CommandTags.AffectedSopClassUid);
        set => SetString(CommandTags.AffectedSopClassUid, value);
    }

    public string? AffectedSopInstanceUid
    {
        get => GetString(CommandTags.AffectedSopInstanceUid);
        set => SetString(CommandTags.AffectedSopInstanceUid, value);
    }

    public string? RequestedSopClassUid
    {
        get => GetString(CommandTags.RequestedSopClassUid);
        set => SetString(CommandTags.RequestedSopClassUid, value);
    }

    public string? RequestedSopInstanceUid
    {
        get => GetString(CommandTags.RequestedSopInstanceUid);
        set => SetString(CommandTags.RequestedSopInstanceUid, value);
    }

    public string? ErrorComment
    {
        get => GetString(CommandTags.ErrorComment);
        set => SetString(CommandTags.ErrorComment, value);
    }

    /// <summary>The SOP class a request or response is about: Affected for C- and N-CREATE/EVENT, Requested for N-SET/ACTION.</summary>
    public string? SopClassUid => AffectedSopClassUid ?? RequestedSopClassUid;

    public string? SopInstanceUid => AffectedSopInstanceUid ?? RequestedSopInstanceUid;

    public bool Contains(uint tag) => _elements.ContainsKey(tag);

    public ushort? GetUInt16(uint tag) =>
        _elements.TryGetValue(tag, out var v) && v.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(v) : null;

    public string? GetString(uint tag) =>
        _elements.TryGetValue(tag, out var v) ? Encoding.ASCII.GetString(v).TrimEnd('\0', ' ') : null;

    public void Set(uint tag, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        _elements[tag] = bytes;
    }

    public void SetString(uint tag, string? value)
    {
        if (value is null)
        {
            _elements.Remove(tag);
            return;
        }
        var pad = CommandTags.KindOf(tag) == CommandValueKind.Uid ? (byte)0 : (byte)' ';
        var bytes = new byte[value.Length + (value.Length & 1)];
        Encoding.ASCII.GetBytes(value, bytes);
        if ((value.Length & 1) == 1)
        {
            bytes[^1] = pad;
        }
        _elements[tag] = bytes;
    }

    public byte[] Encode()
    {
        var length = _elements.Where(e => e.Key != CommandTags.GroupLength).Sum(e => 8 + e.Value.Length);
        var bytes = new byte[12 + length];
        var span = bytes.AsSpan();
        WriteHeader(span, CommandTags.GroupLength, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)length);
        var at = 12;
        foreach (var (tag, value) in _elements)
        {
            if (tag == CommandTags.GroupLength)
            {
                continue;
            }
            WriteHeader(span[at..], tag, value.Length);
            value.CopyTo(span[(at + 8)..]);
            at += 8 + value.Length;
        }
        return bytes;
    }

    public static CommandSet Decode(ReadOnlySpan<byte> bytes)
    {
        var command = new CommandSet();
        while (!bytes.IsEmpty)
        {
            if (bytes.Length < 8)
            {
                throw new PduFormatException($"command set element header truncated: {bytes.Length} bytes left");
            }
            var group = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
            var element = BinaryPrimitives.ReadUInt16LittleEndian(bytes[2..]);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
            if (group != 0x0000)
            {
                throw new PduFormatException($"command set holds element ({group:X4},{element:X4}) outside group 0000");
            }
            if (length > (uint)(bytes.Length - 8))
            {
                throw new PduFormatException($"command element (0000,{element:X4}) declares {length} bytes, {bytes.Length - 8} left");
            }
            command._elements[element] = bytes.Slice(8, (int)length).ToArray();
            bytes = bytes[(8 + (int)length)..];
        }
        if (!command.Contains(CommandTags.CommandField))
        {
            throw new PduFormatException("command set has no Command Field (0000,0100)");
        }
        return command;
    }

    public override string ToString() =>
        $"{(GetUInt16(CommandTags.CommandField) is { } f ? ((CommandField)f).ToString() : "?")} id={MessageId} class={SopClassUid} instance={SopInstanceUid} status={Status:X4}";

    private static void WriteHeader(Span<byte> span, uint tag, int length)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(tag >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], (ushort)tag);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)length);
    }
}
