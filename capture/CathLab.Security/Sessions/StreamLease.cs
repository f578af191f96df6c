namespace CathLab.Security.Sessions;

/// <summary>One open stream (a gRPC watch, a WebSocket) of a session: <see cref="Ended"/> fires when the session ends
/// (idle, expired, revoked), with <see cref="Reason"/> saying why. Dispose when the stream ends by itself.</summary>
public sealed class StreamLease : IDisposable
{
    /// <summary>A machine's stream (a static token): its session never ends by itself.</summary>
    public static readonly StreamLease Unbounded = new(null);

    private readonly CancellationTokenSource? _end;
    private readonly Action<StreamLease>? _release;

    internal StreamLease(Action<StreamLease>? release)
    {
        _release = release;
        if (release is not null) _end = new CancellationTokenSource();
    }

    public CancellationToken Ended => _end?.Token ?? CancellationToken.None;

    /// <summary>Why the session ended ("session expired", "invitation revoked"); null while it lasts.</summary>
    public string? Reason { get; private set; }

    internal void End(string reason)
    {
        Reason = reason;
        _end!.Cancel();
    }

    public void Dispose()
    {
        if (_release is null) return;
        _release(this);
        _end!.Dispose();
    }
}
