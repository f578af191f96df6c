using CathLab.Security.Access;
using Grpc.Core;

namespace CathLab.Security.Sessions;

/// <summary>A client's request stream that counts each message it sends as input to its session.</summary>
internal sealed class TouchingReader<T>(IAsyncStreamReader<T> inner, SessionLifetimes sessions, CallerIdentity caller) : IAsyncStreamReader<T>
{
    public T Current => inner.Current;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        bool any = await inner.MoveNext(cancellationToken);
        if (any) sessions.Touch(caller);
        return any;
    }
}
