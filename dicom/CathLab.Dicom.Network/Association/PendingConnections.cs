namespace CathLab.Dicom.Network.Association;

/// <summary>
/// The connections a server holds before their association exists (PS3.8 Sta2 and Sta13 after a reject). Bounded in
/// count: entering one more than the limit ends the oldest, which has had the longest to speak, so idle or trickling
/// sockets cannot keep out a peer that sends its A-ASSOCIATE-RQ at once.
/// </summary>
internal sealed class PendingConnections(int limit)
{
    private readonly LinkedList<CancellationTokenSource> _waiting = [];

    public int Count
    {
        get { lock (_waiting) return _waiting.Count; }
    }

    public LinkedListNode<CancellationTokenSource> Enter(CancellationTokenSource connection)
    {
        CancellationTokenSource? evicted = null;
        LinkedListNode<CancellationTokenSource> node;
        lock (_waiting)
        {
            node = _waiting.AddLast(connection);
            if (_waiting.Count > limit)
            {
                evicted = _waiting.First!.Value;
                _waiting.RemoveFirst();
            }
        }
        try
        {
            evicted?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // it finished on its own meanwhile
        }
        return node;
    }

    public void Leave(LinkedListNode<CancellationTokenSource> node)
    {
        lock (_waiting)
        {
            if (node.List == _waiting)
            {
                _waiting.Remove(node);
            }
        }
    }
}
