using System.Buffers.Binary;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Services;

namespace CathLab.Testing;

/// <summary>
/// What broken and hostile requestors send an acceptor, one connection per shape: random and mutated PDUs, and the
/// shapes of issue 24 (tiny maximum PDU, wrong protocol version, blank AE, duplicate or too many contexts, SCP role on
/// storage, C-ECHO with a data set, two messages in one PDU, UIDs that are not UIDs, transfers cut off, a wrong first
/// PDU, half-open requests). Seeded: the same seed sends the same bytes.
/// </summary>
public sealed class HostileShapes(int port, string calledAe, int seed)
{
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(5);
    private readonly Random _random = new(seed);
    private readonly byte[] _valid = AssociatePduCodec.Encode(RawDicomPeer.Request(calledAe));

    public const int Count = 16;

    /// <summary>What a PS3.8 acceptor with a Verification and a storage SCP answers each shape with first (null: nothing, or
    /// the connection closed); shapes 0, 1 and 13 are random and may get anything.</summary>
    public static IReadOnlyList<PduType?>? Expected(int shape) => shape switch
    {
        2 or 3 or 4 or 5 => [PduType.AssociateReject],
        6 or 14 => [PduType.AssociateAccept],
        7 or 8 or 9 or 15 => [PduType.DataTransfer],
        10 or 12 => [null],
        11 => [PduType.Abort, null],
        _ => null,
    };

    /// <summary>Runs <paramref name="rounds"/> connections, eight at a time, cycling through the shapes; returns the
    /// shapes whose first answer was not the <see cref="Expected"/> one.</summary>
    public async Task<List<string>> RunRoundsAsync(int rounds)
    {
        var wrong = new List<string>();
        for (var batch = 0; batch < rounds; batch += 8)
        {
            var shapes = Enumerable.Range(batch, Math.Min(8, rounds - batch)).Select(i => i % Count).ToArray();
            var answers = await Task.WhenAll(shapes.Select(RunAsync)).WaitAsync(TimeSpan.FromMinutes(2));
            for (var i = 0; i < shapes.Length; i++)
            {
                if (Expected(shapes[i]) is { } expected && !expected.Contains(answers[i]))
                {
                    wrong.Add($"shape {shapes[i]}: {answers[i]?.ToString() ?? "nothing"}");
                }
            }
        }
        return wrong;
    }

    /// <summary>Runs shape <paramref name="shape"/> (0 … Count-1) on a new connection; returns what the acceptor answered first.</summary>
    public async Task<PduType?> RunAsync(int shape)
    {
        await using var peer = await RawDicomPeer.ConnectAsync(port);
        try
        {
            return await RunAsync(peer, shape);
        }
        catch (IOException)
        {
            return null; // the acceptor closed while we still sent: fine for a hostile peer
        }
    }

    private async Task<PduType?> RunAsync(RawDicomPeer peer, int shape)
    {
        switch (shape)
        {
            case 0:
                var noise = new byte[_random.Next(1, 300)];
                _random.NextBytes(noise);
                noise[0] = (byte)_random.Next(0, 9);
                return await SendAndCloseAsync(peer, noise);
            case 1:
                var mutated = (byte[])_valid.Clone();
                for (var flips = _random.Next(1, 6); flips > 0; flips--)
                {
                    mutated[_random.Next(mutated.Length)] = (byte)_random.Next(256);
                }
                return await SendAndCloseAsync(peer, mutated[.._random.Next(1, mutated.Length + 1)]);
            case 2:
                return await AnswerAsync(peer, RawDicomPeer.Encode(RawDicomPeer.Request(calledAe, maxPdu: (uint)_random.Next(1, 4096))));
            case 3:
                return await AnswerAsync(peer, RawDicomPeer.Encode(RawDicomPeer.Request(calledAe, version: (ushort)(_random.Next(0, 0x8000) << 1))));
            case 4:
                return await AnswerAsync(peer, RawDicomPeer.WithBlankCallingAe(_valid));
            case 5:
                var count = _random.Next(2, 200); // the first and the last share an ID (wrapped past 255 beyond 128 contexts)
                var duplicated = Enumerable.Range(0, count)
                    .Select(i => new PresentationContextProposal((byte)(2 * (i % (count - 1)) + 1), WellKnownUids.Verification, [WellKnownUids.ImplicitVrLittleEndian])).ToArray();
                return await AnswerAsync(peer, RawDicomPeer.Encode(RawDicomPeer.Request(calledAe, duplicated)));
            case 6:
                return await AnswerAsync(peer, RawDicomPeer.Encode(RawDicomPeer.Request(calledAe, StorageContext,
                    roles: [new RoleSelection(WellKnownUids.SecondaryCaptureImageStorage, ScuRole: _random.Next(2) == 0, ScpRole: true)])));
            case 7:
                return await OnAssociationAsync(peer, async () =>
                {
                    await peer.SendAsync(RawDicomPeer.PData((1, true, true, RawDicomPeer.EchoCommand(1, withDataSet: true))));
                    await peer.SendDataSetAsync(1, _random.Next(1, 4 << 20));
                });
            case 8:
                return await OnAssociationAsync(peer, () => peer.SendAsync(RawDicomPeer.PData(
                    (1, true, true, RawDicomPeer.EchoCommand(1)), (1, true, true, RawDicomPeer.EchoCommand(2)))).AsTask());
            case 9:
                string[] notUids = ["..", ".", "1..2", ".1.2", "1.2.", "01.2", "1.2/../3", new string('1', 65), ""];
                return await OnAssociationAsync(peer, () => peer.SendAsync(RawDicomPeer.PData(
                    (1, true, true, RawDicomPeer.StoreCommand(1, WellKnownUids.SecondaryCaptureImageStorage, notUids[_random.Next(notUids.Length)])),
                    (1, false, true, new byte[_random.Next(2, 512) & ~1]))).AsTask(), StorageContext);
            case 10:
                await OnAssociationAsync(peer, async () =>
                {
                    await peer.SendAsync(RawDicomPeer.PData((1, true, true, RawDicomPeer.StoreCommand(1, WellKnownUids.SecondaryCaptureImageStorage, $"1.2.3.{_random.Next(1, 1000)}"))));
                    await peer.SendDataSetAsync(1, 8 << 20, until: _random.Next(1, 4 << 20));
                }, StorageContext, awaitAnswer: false);
                return null; // cut off mid data set
            case 11:
                byte[][] wrongFirst = [AssociatePduCodec.EncodeReleaseRequest(), AssociatePduCodec.EncodeReleaseResponse(), RawDicomPeer.PData((1, true, true, RawDicomPeer.EchoCommand(1))),
                    AssociatePduCodec.Encode(new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, 1)), AssociatePduCodec.EncodeAbort(AbortSource.ServiceUser, 0)];
                return await AnswerAsync(peer, wrongFirst[_random.Next(wrongFirst.Length)]);
            case 12:
                var header = new byte[6];
                header[0] = (byte)PduType.AssociateRequest;
                BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(2), (uint)_random.Next(1000, 1 << 20));
                await peer.SendAsync(header);
                await peer.SendAsync(new byte[_random.Next(0, 64 << 10)]);
                return null; // half-open: the rest never comes
            case 13:
                return await OnAssociationAsync(peer, () =>
                {
                    var pdvs = new byte[_random.Next(6, 200)];
                    _random.NextBytes(pdvs);
                    var pdu = new byte[6 + pdvs.Length];
                    pdu[0] = (byte)PduType.DataTransfer;
                    BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)pdvs.Length);
                    pdvs.CopyTo(pdu, 6);
                    return peer.SendAsync(pdu).AsTask();
                });
            case 14:
                return await AnswerAsync(peer, RawDicomPeer.Encode(RawDicomPeer.Request(calledAe, callingAe: new string('X', _random.Next(1, 17)))));
            default:
                return await OnAssociationAsync(peer, () => peer.SendAsync(RawDicomPeer.PData((1, true, true, RawDicomPeer.EchoCommand(1)))).AsTask());
        }
    }

    private static readonly PresentationContextProposal[] StorageContext =
        [new(1, WellKnownUids.SecondaryCaptureImageStorage, [WellKnownUids.ImplicitVrLittleEndian])];

    private static async Task<PduType?> SendAndCloseAsync(RawDicomPeer peer, byte[] bytes)
    {
        await peer.SendAsync(bytes);
        return (await peer.ReadPduAsync(TimeSpan.FromMilliseconds(200)))?.Type;
    }

    private static async Task<PduType?> AnswerAsync(RawDicomPeer peer, byte[] bytes)
    {
        await peer.SendAsync(bytes);
        return (await peer.ReadPduAsync(AnswerWait))?.Type;
    }

    private async Task<PduType?> OnAssociationAsync(RawDicomPeer peer, Func<Task> exchange, PresentationContextProposal[]? contexts = null, bool awaitAnswer = true)
    {
        await peer.SendAsync(RawDicomPeer.Encode(RawDicomPeer.Request(calledAe, contexts)));
        if ((await peer.ReadPduAsync(AnswerWait))?.Type is not PduType.AssociateAccept)
        {
            return null;
        }
        await exchange();
        return awaitAnswer ? (await peer.ReadPduAsync(AnswerWait))?.Type : null;
    }
}
