using System.Collections.Concurrent;

namespace CathLab.Dicom.Network.Services.StorageCommitment;

/// <summary>
/// Pairs storage commitment requests with their reports, whichever association the report comes on.
/// Reports for transactions nobody waits for (e.g. after a restart) go to <see cref="Unsolicited"/>.
/// </summary>
public sealed class CommitmentTracker
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<CommitmentReport>> _pending = new();

    public event Action<CommitmentReport>? Unsolicited;

    public Task<CommitmentReport> Expect(string transactionUid) =>
        _pending.GetOrAdd(transactionUid, _ => new TaskCompletionSource<CommitmentReport>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Forget(string transactionUid) => _pending.TryRemove(transactionUid, out _);

    public void Deliver(CommitmentReport report)
    {
        if (_pending.TryRemove(report.TransactionUid, out var waiting))
        {
            waiting.TrySetResult(report);
        }
        else
        {
            Unsolicited?.Invoke(report);
        }
    }
}
