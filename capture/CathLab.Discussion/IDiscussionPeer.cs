namespace CathLab.Discussion;

/// <summary>One connection of a participant, as the coordinator sees it. Both calls are made under the coordinator's
/// lock and must not block: <see cref="Post"/> queues a message in order; <see cref="Point"/> replaces the
/// participant's previous pointer that has not gone out yet (latest wins).</summary>
public interface IDiscussionPeer
{
    void Post(string message);

    void Point(string fromParticipant, string message);
}
