namespace CathLab.LiveFeed.Sessions;

/// <summary>The observers watching now. The encoder reads an immutable snapshot per frame; joining and leaving
/// replace it.</summary>
internal sealed class SessionRegistry(ExamEventFeed events)
{
    private readonly object _gate = new();
    private ObserverSession[] _sessions = [];

    public ObserverSession[] Snapshot => Volatile.Read(ref _sessions);

    /// <summary>Registers a session; its event queue first receives the exam's current run, technique and dose.</summary>
    public void Add(ObserverSession session)
    {
        events.Subscribe(session.Events);
        lock (_gate) _sessions = [.. _sessions, session];
    }

    public void Remove(ObserverSession session)
    {
        events.Unsubscribe(session.Events);
        lock (_gate) _sessions = _sessions.Where(s => s != session).ToArray();
    }

    public void StopAll()
    {
        foreach (var s in Snapshot) s.Stop();
    }
}
