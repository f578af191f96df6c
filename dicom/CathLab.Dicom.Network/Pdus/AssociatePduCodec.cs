using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace CathLab.Dicom.Network.Pdus;

/// <summary>Encodes and decodes A-ASSOCIATE-RQ/AC/RJ, A-RELEASE and A-ABORT PDUs (PS3.8 §9.3).</summary>
public static class AssociatePduCodec
{
    public const int MaxUidLength = 64;
    public const int AeTitleLength = 16;

    private const byte ApplicationContextItem = 0x10;
    private const byte PresentationContextRqItem = 0x20;
    private const byte PresentationContextAcItem = 0x21;
    private const byte AbstractSyntaxItem = 0x30;
    private const byte TransferSyntaxItem = 0x40;
    private const byte UserInformationItem = 0x50;
    private const byte MaxLengthItem = 0x51;
    private const byte ImplementationClassUidItem = 0x52;
    private const byte AsyncOperationsItem = 0x53;
    private const byte RoleSelectionItem = 0x54;
    private const byte ImplementationVersionItem = 0x55;

    public static byte[] Encode(AssociateRequest rq)
    {
        var w = new ArrayBufferWriter<byte>(512);
        var header = BeginPdu(w, PduType.AssociateRequest);
        WriteFixedHeader(w, rq.ProtocolVersion, rq.CalledAeTitle, rq.CallingAeTitle);
        WriteUidItem(w, ApplicationContextItem, rq.ApplicationContext);
        foreach (var pc in rq.PresentationContexts)
        {
            var item = BeginItem(w, PresentationContextRqItem);
            w.Write<byte>([pc.Id, 0, 0, 0]);
            WriteUidItem(w, AbstractSyntaxItem, pc.AbstractSyntax);
            foreach (var ts in pc.TransferSyntaxes)
            {
                WriteUidItem(w, TransferSyntaxItem, ts);
            }
            EndItem(w, item);
        }
        WriteUserInformation(w, rq.UserInformation);
        return EndPdu(w, header);
    }

    public static byte[] Encode(AssociateAccept ac)
    {
        var w = new ArrayBufferWriter<byte>(256);
        var header = BeginPdu(w, PduType.AssociateAccept);
        WriteFixedHeader(w, 1, ac.CalledAeTitle, ac.CallingAeTitle);
        WriteUidItem(w, ApplicationContextItem, ac.ApplicationContext);
        foreach (var pc in ac.PresentationContexts)
        {
            var item = BeginItem(w, PresentationContextAcItem);
            w.Write<byte>([pc.Id, 0, (byte)pc.Outcome, 0]);
            WriteUidItem(w, TransferSyntaxItem, pc.IsAccepted ? pc.TransferSyntax : "");
            EndItem(w, item);
        }
        WriteUserInformation(w, ac.UserInformation);
        return EndPdu(w, header);
    }

    public static byte[] Encode(AssociateReject rj) =>
        [(byte)PduType.AssociateReject, 0, 0, 0, 0, 4, 0, (byte)rj.Result, (byte)rj.Source, rj.Reason];

    public static byte[] EncodeAbort(AbortSource source, AbortReason reason) =>
        [(byte)PduType.Abort, 0, 0, 0, 0, 4, 0, 0, (byte)source, (byte)reason];

    public static byte[] EncodeReleaseRequest() => [(byte)PduType.ReleaseRequest, 0, 0, 0, 0, 4, 0, 0, 0, 0];

    public static byte[] EncodeReleaseResponse() => [(byte)PduType.ReleaseResponse, 0, 0, 0, 0, 4, 0, 0, 0, 0];

    /// <summary>Decodes the variable field (everything after the 6-byte PDU header) of an A-ASSOCIATE-RQ.</summary>
    public static AssociateRequest DecodeRequest(ReadOnlySpan<byte> body)
    {
        var r = new PduSpanReader(body);
        var (version, called, calling) = ReadFixedHeader(ref r);
        string? context = null;
        var contexts = new List<PresentationContextProposal>();
        UserInformation? user = null;
        while (r.Remaining > 0)
        {
            var item = ReadItem(ref r, out var type);
            var ir = new PduSpanReader(item);
            switch (type)
            {
                case ApplicationContextItem:
                    context = ir.ReadText(item.Length, "application context name", MaxUidLength);
                    break;
                case PresentationContextRqItem:
                    contexts.Add(ReadProposal(ref ir));
                    break;
                case UserInformationItem:
                    user = ReadUserInformation(item);
                    break;
                default:
                    throw new PduFormatException($"unexpected item type 0x{type:X2} in A-ASSOCIATE-RQ");
            }
        }
        return new AssociateRequest
        {
            ProtocolVersion = version,
            CalledAeTitle = called,
            CallingAeTitle = calling,
            ApplicationContext = context ?? throw new PduFormatException("A-ASSOCIATE-RQ has no application context item"),
            PresentationContexts = contexts.Count > 0 ? contexts : throw new PduFormatException("A-ASSOCIATE-RQ proposes no presentation context"),
            UserInformation = user ?? throw new PduFormatException("A-ASSOCIATE-RQ has no user information item"),
        };
    }

    public static AssociateAccept DecodeAccept(ReadOnlySpan<byte> body)
    {
        var r = new PduSpanReader(body);
        var (version, called, calling) = ReadFixedHeader(ref r);
        if ((version & 1) == 0)
        {
            throw new PduFormatException($"protocol version 0x{version:X4} does not include version 1");
        }
        string? context = null;
        var results = new List<PresentationContextResult>();
        UserInformation? user = null;
        while (r.Remaining > 0)
        {
            var item = ReadItem(ref r, out var type);
            var ir = new PduSpanReader(item);
            switch (type)
            {
                case ApplicationContextItem:
                    context = ir.ReadText(item.Length, "application context name", MaxUidLength);
                    break;
                case PresentationContextAcItem:
                    var id = ir.ReadByte();
                    ir.Skip(1, "reserved");
                    var outcome = ir.ReadByte();
                    ir.Skip(1, "reserved");
                    if (outcome > 4)
                    {
                        throw new PduFormatException($"presentation context {id} has an unknown result {outcome}");
                    }
                    var ts = "";
                    if (ir.Remaining > 0)
                    {
                        var sub = ReadItem(ref ir, out var subType);
                        if (subType != TransferSyntaxItem)
                        {
                            throw new PduFormatException($"unexpected sub-item 0x{subType:X2} in an accepted presentation context");
                        }
                        ts = new PduSpanReader(sub).ReadText(sub.Length, "transfer syntax", MaxUidLength);
                    }
                    results.Add(new PresentationContextResult(id, (PresentationContextOutcome)outcome, ts));
                    break;
                case UserInformationItem:
                    user = ReadUserInformation(item);
                    break;
                default:
                    throw new PduFormatException($"unexpected item type 0x{type:X2} in A-ASSOCIATE-AC");
            }
        }
        return new AssociateAccept
        {
            CalledAeTitle = called,
            CallingAeTitle = calling,
            ApplicationContext = context ?? throw new PduFormatException("A-ASSOCIATE-AC has no application context item"),
            PresentationContexts = results,
            UserInformation = user ?? throw new PduFormatException("A-ASSOCIATE-AC has no user information item"),
        };
    }

    public static AssociateReject DecodeReject(ReadOnlySpan<byte> body)
    {
        RequireFixedLength(body, PduType.AssociateReject);
        var result = body[1];
        var source = body[2];
        if (result is not (1 or 2) || source is < 1 or > 3)
        {
            throw new PduFormatException($"A-ASSOCIATE-RJ has result {result} and source {source}, outside PS3.8's values");
        }
        return new AssociateReject((RejectResult)result, (RejectSource)source, body[3]);
    }

    public static (AbortSource Source, AbortReason Reason) DecodeAbort(ReadOnlySpan<byte> body)
    {
        RequireFixedLength(body, PduType.Abort);
        return ((AbortSource)body[2], (AbortReason)body[3]);
    }

    public static void RequireFixedLength(ReadOnlySpan<byte> body, PduType type)
    {
        if (body.Length != 4)
        {
            throw new PduFormatException($"{type} PDU must be 4 bytes long, not {body.Length}");
        }
    }

    private static PresentationContextProposal ReadProposal(ref PduSpanReader r)
    {
        // odd and unique IDs are the acceptor's to check (AssociationNegotiator), which rejects rather than aborts
        var id = r.ReadByte();
        r.Skip(3, "reserved");
        string? abstractSyntax = null;
        var transferSyntaxes = new List<string>();
        while (r.Remaining > 0)
        {
            var sub = ReadItem(ref r, out var type);
            var sr = new PduSpanReader(sub);
            var uid = sr.ReadText(sub.Length, "syntax name", MaxUidLength);
            switch (type)
            {
                case AbstractSyntaxItem: abstractSyntax = uid; break;
                case TransferSyntaxItem: transferSyntaxes.Add(uid); break;
                default: throw new PduFormatException($"unexpected sub-item 0x{type:X2} in presentation context {id}");
            }
        }
        if (abstractSyntax is null || transferSyntaxes.Count == 0)
        {
            throw new PduFormatException($"presentation context {id} lacks an abstract syntax or transfer syntax");
        }
        return new PresentationContextProposal(id, abstractSyntax, transferSyntaxes);
    }

    private static UserInformation ReadUserInformation(ReadOnlySpan<byte> item)
    {
        var r = new PduSpanReader(item);
        uint maxLength = 0;
        var implementationClass = "";
        string? version = null;
        AsyncOperationsWindow? window = null;
        var roles = new List<RoleSelection>();
        while (r.Remaining > 0)
        {
            var sub = ReadItem(ref r, out var type);
            var sr = new PduSpanReader(sub);
            switch (type)
            {
                case MaxLengthItem:
                    maxLength = sr.ReadUInt32();
                    break;
                case ImplementationClassUidItem:
                    implementationClass = sr.ReadText(sub.Length, "implementation class UID", MaxUidLength);
                    break;
                case ImplementationVersionItem:
                    version = sr.ReadText(sub.Length, "implementation version name", 16);
                    break;
                case AsyncOperationsItem:
                    window = new AsyncOperationsWindow(sr.ReadUInt16(), sr.ReadUInt16());
                    break;
                case RoleSelectionItem:
                    var uidLength = sr.ReadUInt16();
                    var uid = sr.ReadText(uidLength, "role selection SOP class UID", MaxUidLength);
                    roles.Add(new RoleSelection(uid, sr.ReadByte() == 1, sr.ReadByte() == 1));
                    break;
                default:
                    break; // extended negotiation and identity items are optional; ignoring them is allowed
            }
        }
        return new UserInformation
        {
            MaxPduLength = maxLength,
            ImplementationClassUid = implementationClass,
            ImplementationVersionName = version,
            AsyncOperations = window,
            RoleSelections = roles,
        };
    }

    private static (ushort Version, string Called, string Calling) ReadFixedHeader(ref PduSpanReader r)
    {
        var version = r.ReadUInt16();
        r.Skip(2, "reserved");
        var called = r.ReadText(AeTitleLength, "called AE title", AeTitleLength);
        var calling = r.ReadText(AeTitleLength, "calling AE title", AeTitleLength);
        r.Skip(32, "reserved");
        return (version, called, calling);
    }

    private static ReadOnlySpan<byte> ReadItem(ref PduSpanReader r, out byte type)
    {
        type = r.ReadByte();
        r.Skip(1, "reserved");
        var length = r.ReadUInt16();
        return r.ReadBytes(length, $"item 0x{type:X2}");
    }

    private static void WriteUserInformation(ArrayBufferWriter<byte> w, UserInformation user)
    {
        var item = BeginItem(w, UserInformationItem);
        var max = BeginItem(w, MaxLengthItem);
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(four, user.MaxPduLength);
        w.Write(four);
        EndItem(w, max);
        WriteUidItem(w, ImplementationClassUidItem, user.ImplementationClassUid);
        if (user.AsyncOperations is { } window)
        {
            var a = BeginItem(w, AsyncOperationsItem);
            BinaryPrimitives.WriteUInt16BigEndian(four, window.MaxInvoked);
            BinaryPrimitives.WriteUInt16BigEndian(four[2..], window.MaxPerformed);
            w.Write(four);
            EndItem(w, a);
        }
        foreach (var role in user.RoleSelections)
        {
            var s = BeginItem(w, RoleSelectionItem);
            var uid = Encoding.ASCII.GetBytes(role.SopClassUid);
            BinaryPrimitives.WriteUInt16BigEndian(four, (ushort)uid.Length);
            w.Write(four[..2]);
            w.Write(uid);
            w.Write<byte>([(byte)(role.ScuRole ? 1 : 0), (byte)(role.ScpRole ? 1 : 0)]);
            EndItem(w, s);
        }
        if (!string.IsNullOrEmpty(user.ImplementationVersionName))
        {
            WriteUidItem(w, ImplementationVersionItem, user.ImplementationVersionName);
        }
        EndItem(w, item);
    }

    private static void WriteFixedHeader(ArrayBufferWriter<byte> w, ushort version, string called, string calling)
    {
        w.Write<byte>([(byte)(version >> 8), (byte)version, 0, 0]);
        WriteAeTitle(w, called);
        WriteAeTitle(w, calling);
        w.GetSpan(32)[..32].Clear();
        w.Advance(32);
    }

    private static void WriteAeTitle(ArrayBufferWriter<byte> w, string ae)
    {
        if (ae.Length is 0 or > AeTitleLength)
        {
            throw new ArgumentException($"AE title '{ae}' must be 1 to 16 characters");
        }
        var span = w.GetSpan(AeTitleLength)[..AeTitleLength];
        span.Fill((byte)' ');
        Encoding.ASCII.GetBytes(ae, span);
        w.Advance(AeTitleLength);
    }

    private static void WriteUidItem(ArrayBufferWriter<byte> w, byte type, string text)
    {
        if (text.Length > MaxUidLength)
        {
            throw new ArgumentException($"'{text}' is longer than {MaxUidLength} characters");
        }
        var item = BeginItem(w, type);
        w.Write(Encoding.ASCII.GetBytes(text));
        EndItem(w, item);
    }

    private static int BeginPdu(ArrayBufferWriter<byte> w, PduType type)
    {
        var at = w.WrittenCount;
        w.Write<byte>([(byte)type, 0, 0, 0, 0, 0]);
        return at;
    }

    private static byte[] EndPdu(ArrayBufferWriter<byte> w, int at)
    {
        var bytes = w.WrittenSpan.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at + 2), (uint)(bytes.Length - at - 6));
        return bytes;
    }

    private static int BeginItem(ArrayBufferWriter<byte> w, byte type)
    {
        var at = w.WrittenCount;
        w.Write<byte>([type, 0, 0, 0]);
        return at;
    }

    // ArrayBufferWriter exposes written bytes read-only, so the length is patched through the underlying memory.
    private static void EndItem(ArrayBufferWriter<byte> w, int at)
    {
        var length = w.WrittenCount - at - 4;
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException("item longer than 65535 bytes");
        }
        var written = System.Runtime.InteropServices.MemoryMarshal.AsMemory(w.WrittenMemory);
        BinaryPrimitives.WriteUInt16BigEndian(written.Span[(at + 2)..], (ushort)length);
    }
}
