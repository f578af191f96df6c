using System.Buffers.Binary;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Client;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Dicom.Network.Status;
using CathLab.Dicom.Network.Tests.Support;
using CathLab.Testing;

namespace CathLab.Dicom.Network.Tests;

/// <summary>The DICOM client against dcmtk's storescp (good and bad paths), our own acceptor where a peer must answer with a
/// failure status, and a scripted peer where the wire itself must be watched.</summary>
public sealed class DicomClientTests : IDisposable
{
    private const string SecondaryCapture = WellKnownUids.SecondaryCaptureImageStorage;
    private static readonly AssociationOptions Options = new() { ArtimTimeout = TimeSpan.FromSeconds(20), DimseTimeout = TimeSpan.FromSeconds(60) };
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static DicomClient Client(int port, string calledAe = "STORESCP") => new(new DicomPeer("127.0.0.1", port, calledAe, "CATHLAB"), Options);

    private PeerProcess Storescp(int port, params string[] extra) =>
        new("storescp", ["--aetitle", "STORESCP", "--output-directory", _temp.Sub("in"), .. extra, port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    private (StoreRequest Request, string Uid) File(string name, string sopClass = SyntheticDicomFile.XaSopClass, int frames = 2)
    {
        var path = _temp.File(name);
        var uid = SyntheticDicomFile.Write(path, frames, rows: 32, columns: 32, sopClass: sopClass);
        return (new StoreRequest(path, uid), uid);
    }

    [Fact]
    public async Task EchoAndStoreAgainstStorescpNegotiatingAContextPerSopClassAndReportingEachObject()
    {
        var port = FreePort.Next();
        using var storescp = Storescp(port);
        storescp.WaitForPort(port);
        var objects = new[] { File("a.dcm"), File("b.dcm", SecondaryCapture), File("c.dcm") };
        var progress = new RecordingProgress();

        Assert.True((await Client(port).EchoAsync()).IsSuccess);
        var results = await Client(port).StoreAsync(objects.Select(o => o.Request), progress);

        Assert.Equal(objects.Select(o => o.Uid), results.Select(r => r.SopInstanceUid));
        Assert.All(results, r => Assert.True(r.Stored && r.Attempted, $"{r.Status} {r.Error?.Message}"));
        Assert.Equal(objects.SelectMany(o => new[] { $"sending {o.Uid}", $"done {o.Uid}" }), progress.Events);
        var dumps = Directory.GetFiles(_temp.Sub("in")).Select(f => PeerProcess.Run("dcmdump", "+L", "-Un", f).Output).ToArray();
        Assert.Equal(3, dumps.Length);
        Assert.Single(dumps, d => d.Contains(SecondaryCapture, StringComparison.Ordinal));
        Assert.All(objects, o => Assert.Single(dumps, d => d.Contains(o.Uid, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AnObjectWhoseSopClassThePeerRefusesOrWhoseFileIsWrongIsNotSentAndTheOthersAre()
    {
        var port = FreePort.Next();
        using var storescp = Storescp(port);
        storescp.WaitForPort(port);
        var good = File("good.dcm");
        var unknownClass = File("odd.dcm", "1.2.840.10008.5.1.4.1.1.999.1"); // not a class storescp knows: its context is refused
        var renamed = File("renamed.dcm") is var r ? r.Request with { ExpectedSopInstanceUid = "1.2.3" } : default!;
        var missing = new StoreRequest(_temp.File("missing.dcm"));

        var results = await Client(port).StoreAsync([good.Request, unknownClass.Request, renamed, missing]);

        Assert.True(results[0].Stored, results[0].Error?.Message);
        Assert.Equal((false, NetworkFailureReason.NoAcceptablePresentationContext, FailureKind.Permanent), Describe(results[1]));
        Assert.Equal((false, NetworkFailureReason.UnusableObject, FailureKind.Permanent), Describe(results[2]));
        Assert.Contains("now holds SOP instance", results[2].Error!.Message, StringComparison.Ordinal);
        Assert.Equal((false, NetworkFailureReason.UnusableObject, FailureKind.Permanent), Describe(results[3]));
        Assert.Contains("is gone", results[3].Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PeerDownThrowsTransientConnectionRefusedAfterReportingTheUnusableObjects()
    {
        var progress = new RecordingProgress();
        var error = await Assert.ThrowsAsync<DicomNetworkException>(() =>
            Client(FreePort.Next()).StoreAsync([File("a.dcm").Request, new StoreRequest(_temp.File("missing.dcm"))], progress));
        Assert.Equal((NetworkFailureReason.ConnectionRefused, FailureKind.Transient), (error.Reason, error.Kind));
        Assert.Equal(["done -"], progress.Events);
    }

    [Fact]
    public async Task AnAssociationStorescpRefusesIsRejected()
    {
        var port = FreePort.Next();
        using var storescp = Storescp(port, "--refuse");
        storescp.WaitForPort(port);
        var error = await Assert.ThrowsAsync<AssociationRejectedException>(() => Client(port).StoreAsync([File("a.dcm").Request]));
        Assert.Equal(NetworkFailureReason.AssociationRejected, error.Reason);
        await Assert.ThrowsAsync<AssociationRejectedException>(() => Client(port).EchoAsync());
    }

    [Fact]
    public async Task StorescpAbortingMidStoreFailsTheObjectInFlightAndLeavesTheRestNotAttempted()
    {
        var port = FreePort.Next();
        using var storescp = Storescp(port, "--abort-during");
        storescp.WaitForPort(port);
        var progress = new RecordingProgress();

        var results = await Client(port).StoreAsync([File("a.dcm", frames: 40).Request, File("b.dcm").Request, File("c.dcm").Request], progress);

        Assert.Equal((true, NetworkFailureReason.AssociationAborted, FailureKind.Transient), Describe(results[0]));
        Assert.All(results.Skip(1), r => Assert.Equal((false, FailureKind.Transient), (r.Attempted, r.Error!.Kind)));
        Assert.Equal(1, progress.Events.Count(e => e.StartsWith("sending", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AFailureStatusIsThatObjectsResultAndTheAssociationCarriesOn()
    {
        var refusing = new RefusingStoreScp(0xA700, "out of resources");
        await using var server = DicomServer.Start(new DicomServerOptions { AeTitle = "REFUSER" }, refusing);

        var results = await Client(server.Port, "REFUSER").StoreAsync([File("a.dcm").Request, File("b.dcm").Request]);

        Assert.All(results, r => Assert.Equal((true, false, (ushort)0xA700), (r.Attempted, r.Stored, r.Status!.Value.Code)));
        Assert.Equal(FailureKind.Transient, results[0].Status!.Value.Failure);
        Assert.Equal(2, refusing.Requests);
    }

    [Fact]
    public async Task CancellingAStoreWhileItWaitsForTheResponseSendsAbortNotRelease()
    {
        using var cancel = new CancellationTokenSource();
        var lastPdu = new TaskCompletionSource<PduType>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var peer = new ScriptedPeer(async (stream, reader) =>
        {
            var rq = await reader.ReadAsync(TimeSpan.FromSeconds(10), "rq");
            await stream.WriteAsync(AssociatePduCodec.Encode(FailureClassificationTests.AcceptAll(AssociatePduCodec.DecodeRequest(rq!.Value.Body.Span))));
            while (true)
            {
                var pdu = await reader.ReadAsync(TimeSpan.FromSeconds(30), "the store");
                if (pdu is not { } received || received.Type != PduType.DataTransfer)
                {
                    lastPdu.SetResult(pdu?.Type ?? (PduType)0);
                    return;
                }
                if (EndsTheDataSet(received.Body.Span))
                {
                    await cancel.CancelAsync(); // the whole C-STORE-RQ is here; we never answer it
                }
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client(peer.Port, "SCRIPTED").StoreAsync([File("a.dcm").Request], null, cancel.Token));

        Assert.Equal(PduType.Abort, await lastPdu.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    // P-DATA-TF: PDV items of (length, context id, control header); control bit 1 = last fragment, bit 0 = command.
    private static bool EndsTheDataSet(ReadOnlySpan<byte> body)
    {
        for (var at = 0; at + 6 <= body.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body[at..]);
            if (body[at + 5] == 0x02)
            {
                return true;
            }
            at += 4 + length;
        }
        return false;
    }

    private static (bool Attempted, NetworkFailureReason Reason, FailureKind Kind) Describe(StoreResult result) =>
        (result.Attempted, result.Error!.Reason, result.Error.Kind);

    private sealed class RecordingProgress : IStoreProgress
    {
        public List<string> Events { get; } = [];

        public void Sending(StoreRequest request) => Events.Add($"sending {request.ExpectedSopInstanceUid}");

        public void Completed(StoreResult result) => Events.Add($"done {result.Request.ExpectedSopInstanceUid ?? "-"}");
    }
}
