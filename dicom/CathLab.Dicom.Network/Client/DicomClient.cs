using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Services.StorageCommitment;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Client;

/// <summary>
/// A DICOM SCU for one remote AE: each call opens its own association, negotiates the presentation contexts its objects
/// need, does its work and releases the association; on an error or a cancellation of the call it sends A-ABORT instead.
/// Every wait is bounded by <see cref="Options"/> (connect, ARTIM, DIMSE, write); TLS is <see cref="AssociationOptions.TlsClient"/>.
/// Failures are <see cref="DicomNetworkException"/>s that say whether a retry can help.
/// </summary>
public sealed class DicomClient(DicomPeer peer, AssociationOptions? options = null)
{
    public DicomPeer Peer { get; } = peer;

    public AssociationOptions Options { get; } = options ?? new AssociationOptions();

    /// <summary>C-ECHO (Verification): the peer's status.</summary>
    public Task<DimseStatus> EchoAsync(CancellationToken cancellation = default) => EchoScu.EchoAsync(Peer, Options, cancellation);

    /// <summary>
    /// C-STORE of each Part 10 file, in order, streamed from disk. One association carries them all (a further one for each
    /// 128 distinct SOP class and transfer syntax pairs). Returns one result per request, in request order: the peer's status,
    /// or why the object was not stored. Throws <see cref="DicomNetworkException"/> when the first association cannot be
    /// opened (peer down, association rejected, no context accepted); objects found unusable before that were reported to
    /// <paramref name="progress"/>. When an association breaks off mid-store, the objects after the one in flight are
    /// returned not attempted.
    /// </summary>
    public async Task<IReadOnlyList<StoreResult>> StoreAsync(IEnumerable<StoreRequest> objects, IStoreProgress? progress = null, CancellationToken cancellation = default)
    {
        var requests = objects.ToList();
        var results = new Dictionary<StoreRequest, StoreResult>(ReferenceEqualityComparer.Instance);
        void Complete(StoreResult result)
        {
            results[result.Request] = result;
            progress?.Completed(result);
        }
        var ready = StoreObjects.Prepare(requests, Complete);
        DicomNetworkException? lost = null;
        var opened = false;
        foreach (var run in StoreObjects.ByAssociation(ready))
        {
            DicomAssociation? association = null;
            if (lost is null)
            {
                try
                {
                    association = await ScuAssociation.OpenAsync(Peer, Options, StoreObjects.Contexts(run), cancellation: cancellation).ConfigureAwait(false);
                    opened = true;
                }
                catch (DicomNetworkException e) when (opened)
                {
                    lost = e; // an earlier association worked: this run's objects are reported, not the whole call failed
                }
            }
            if (association is not null)
            {
                if (await AssociationWork.RunAsync(association, channel => StoreObjects.SendAllAsync(channel, run, Complete, progress, cancellation), cancellation)
                    .ConfigureAwait(false))
                {
                    continue;
                }
                lost = run.Select(o => results.GetValueOrDefault(o.Request)?.Error).LastOrDefault(e => e is not null);
            }
            foreach (var item in run.Where(o => !results.ContainsKey(o.Request)))
            {
                Complete(StoreObjects.NotSent(item.Request, item.Meta.SopInstanceUid, $"not sent: the association to {Peer.CalledAeTitle} broke off before it ({lost?.Message})",
                    FailureKind.Transient, lost?.Reason ?? NetworkFailureReason.AssociationAborted));
            }
        }
        return [.. requests.Select(r => results[r])];
    }

    /// <summary>
    /// Storage Commitment Push Model: one N-ACTION asking the peer to commit <paramref name="references"/>. Returns the
    /// transaction UID and a task that completes with the N-EVENT-REPORT, whether it comes on this association (within
    /// <paramref name="sameAssociationWait"/>) or later on one the peer opens to our listener, which must host a
    /// <see cref="CommitmentReportReceiver"/> sharing <paramref name="tracker"/>.
    /// </summary>
    public Task<(string TransactionUid, Task<CommitmentReport> Report)> StorageCommitmentAsync(IReadOnlyList<SopReference> references, CommitmentTracker tracker,
        TimeSpan? sameAssociationWait = null, CancellationToken cancellation = default)
    {
        var scu = new StorageCommitmentScu(Peer, Options, tracker) { SameAssociationWait = sameAssociationWait ?? StorageCommitmentScu.DefaultSameAssociationWait };
        return scu.RequestAsync(references, cancellation);
    }
}
