using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Services;

namespace CathLab.Testing;

/// <summary>
/// A hand-driven association requestor on a raw socket, for hostile and broken peers: sends exactly the bytes a test
/// builds and reads back whole PDUs. Every wait is bounded by <see cref="Patience"/>.
/// </summary>
public sealed class RawDicomPeer : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TcpClient _client;
    private readonly PduReader _reader;

    private RawDicomPeer(TcpClient client)
    {
        _client = client;
        Stream = client.GetStream();
        _reader = new PduReader(Stream, 1 << 20);
    }

    public NetworkStream Stream { get; }

    public static async Task<RawDicomPeer> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(Patience);
        return new RawDicomPeer(client);
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> bytes) => Stream.WriteAsync(bytes);

    /// <summary>The next PDU, or null when the other side closed the connection.</summary>
    public Task<RawPdu?> ReadPduAsync() => ReadPduAsync(Patience);

    /// <summary>The next PDU; null when the other side closed the connection or said nothing for <paramref name="wait"/>.</summary>
    public async Task<RawPdu?> ReadPduAsync(TimeSpan wait)
    {
        try
        {
            return await _reader.ReadAsync(wait, "the peer under test");
        }
        catch (Exception e) when (e is CathLab.Dicom.Network.Status.AssociationAbortedException or CathLab.Dicom.Network.Status.DicomTimeoutException
            or PduFormatException)
        {
            return null; // connection reset, silence, or a stream that ended inside a PDU
        }
    }

    /// <summary>Every PDU until the other side closes, as (type, body) copies.</summary>
    public async Task<List<(PduType Type, byte[] Body)>> ReadUntilClosedAsync()
    {
        var all = new List<(PduType, byte[])>();
        while (await ReadPduAsync() is { } pdu)
        {
            all.Add((pdu.Type, pdu.Body.ToArray()));
        }
        return all;
    }

    /// <summary>Sends an A-ASSOCIATE-RQ and returns the answer (AC, RJ or A-ABORT).</summary>
    public async Task<(PduType Type, byte[] Body)> AssociateAsync(byte[] request)
    {
        await SendAsync(request);
        var pdu = await ReadPduAsync() ?? throw new InvalidOperationException("closed instead of answering A-ASSOCIATE-RQ");
        return (pdu.Type, pdu.Body.ToArray());
    }

    public static AssociateRequest Request(string calledAe, IReadOnlyList<PresentationContextProposal>? contexts = null, uint maxPdu = 16384,
        string callingAe = "HOSTILE", ushort version = 1, IReadOnlyList<RoleSelection>? roles = null) => new()
    {
        ProtocolVersion = version,
        CalledAeTitle = calledAe,
        CallingAeTitle = callingAe,
        PresentationContexts = contexts ?? [new PresentationContextProposal(1, WellKnownUids.Verification, [WellKnownUids.ImplicitVrLittleEndian])],
        UserInformation = new UserInformation { MaxPduLength = maxPdu, ImplementationClassUid = "1.2.3.4", RoleSelections = roles ?? [] },
    };

    public static byte[] Encode(AssociateRequest request) => AssociatePduCodec.Encode(request);

    /// <summary>An A-ASSOCIATE-RQ whose calling AE title field is 16 spaces (PS3.8 says it shall not be).</summary>
    public static byte[] WithBlankCallingAe(byte[] request)
    {
        var copy = (byte[])request.Clone();
        copy.AsSpan(6 + 4 + 16, 16).Fill((byte)' ');
        return copy;
    }

    /// <summary>One P-DATA-TF holding the given PDVs.</summary>
    public static byte[] PData(params (byte ContextId, bool IsCommand, bool IsLast, byte[] Data)[] pdvs)
    {
        var length = pdvs.Sum(p => 6 + p.Data.Length);
        var pdu = new byte[6 + length];
        pdu[0] = (byte)PduType.DataTransfer;
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)length);
        var at = 6;
        foreach (var (id, isCommand, isLast, data) in pdvs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(at), (uint)(data.Length + 2));
            pdu[at + 4] = id;
            pdu[at + 5] = (byte)((isCommand ? 1 : 0) | (isLast ? 2 : 0));
            data.CopyTo(pdu, at + 6);
            at += 6 + data.Length;
        }
        return pdu;
    }

    public static byte[] EchoCommand(ushort messageId, bool withDataSet = false) => new CommandSet
    {
        Field = CommandField.CEchoRequest,
        MessageId = messageId,
        AffectedSopClassUid = WellKnownUids.Verification,
        HasDataSet = withDataSet,
    }.Encode();

    public static byte[] StoreCommand(ushort messageId, string sopClass, string sopInstance)
    {
        var command = new CommandSet
        {
            Field = CommandField.CStoreRequest,
            MessageId = messageId,
            AffectedSopClassUid = sopClass,
            AffectedSopInstanceUid = sopInstance,
            HasDataSet = true,
        };
        command.Set(CommandTags.Priority, 0);
        return command.Encode();
    }

    /// <summary>Streams bytes <paramref name="from"/> to <paramref name="until"/> of a <paramref name="length"/>-byte data set on one
    /// context in PDUs of <paramref name="pduLength"/>, from one reused buffer: the sender's memory does not grow with the length.</summary>
    public async Task SendDataSetAsync(byte contextId, long length, int pduLength = 16384, long from = 0, long until = long.MaxValue)
    {
        var fragment = pduLength - 6;
        var buffer = new byte[6 + pduLength];
        buffer[0] = (byte)PduType.DataTransfer;
        for (long sent = from; sent < length && sent < until;)
        {
            var n = (int)Math.Min(fragment, length - sent);
            sent += n;
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(2), (uint)(n + 6));
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(6), (uint)(n + 2));
            buffer[10] = contextId;
            buffer[11] = (byte)(sent == length ? 2 : 0);
            await Stream.WriteAsync(buffer.AsMemory(0, 12 + n));
        }
    }

    /// <summary>The command set of a P-DATA-TF that carries one whole command.</summary>
    public static CommandSet CommandOf(byte[] pdataBody)
    {
        foreach (var pdv in new PdvEnumerator(pdataBody))
        {
            if (pdv.IsCommand)
            {
                return CommandSet.Decode(pdv.Fragment);
            }
        }
        throw new InvalidOperationException("no command PDV in this P-DATA-TF");
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        _reader.Dispose();
        _client.Dispose();
    }
}
