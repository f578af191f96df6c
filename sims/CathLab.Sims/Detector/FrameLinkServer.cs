using System.Net;
using System.Net.Sockets;

namespace CathLab.Sims.Detector;

/// <summary>Serves the frame link on 127.0.0.1: accepts clients, gives each a session, and hands
/// every exposed frame to the subscribed ones.</summary>
internal sealed class FrameLinkServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly IFrameLinkDetector _detector;
    private readonly int _clientQueueDepth;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private FrameLinkSession[] _sessions = [];
    private Task? _acceptLoop;
    private long _framesDroppedByGoneClients;

    public FrameLinkServer(int port, int clientQueueDepth, IFrameLinkDetector detector)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _clientQueueDepth = clientQueueDepth;
        _detector = detector;
    }

    public int Port { get; private set; }

    public int ClientCount => Volatile.Read(ref _sessions).Length;

    public int SubscriberCount => Volatile.Read(ref _sessions).Count(s => s.Subscribed);

    /// <summary>Exposed frames dropped because a client fell behind, over all clients past and present.</summary>
    public long FramesDroppedForSlowClients =>
        Interlocked.Read(ref _framesDroppedByGoneClients) + Volatile.Read(ref _sessions).Sum(s => s.FramesDropped);

    public void Start()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    public void Broadcast(FrameBuffer frame)
    {
        foreach (var session in Volatile.Read(ref _sessions))
        {
            if (session.Subscribed)
            {
                session.OfferFrame(frame);
            }
        }
    }

    public void SkipSequence()
    {
        foreach (var session in Volatile.Read(ref _sessions))
        {
            if (session.Subscribed)
            {
                session.SkipSequence();
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var session in Volatile.Read(ref _sessions))
        {
            session.Close();
        }
        try
        {
            _acceptLoop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var session = new FrameLinkSession(socket, _detector, _clientQueueDepth);
            lock (_gate)
            {
                _sessions = [.. _sessions, session];
            }
            _ = RunSessionAsync(session, cancellationToken);
        }
    }

    private async Task RunSessionAsync(FrameLinkSession session, CancellationToken cancellationToken)
    {
        try
        {
            await session.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _sessions = [.. _sessions.Where(s => s != session)];
                Interlocked.Add(ref _framesDroppedByGoneClients, session.FramesDropped);
            }
        }
    }
}
