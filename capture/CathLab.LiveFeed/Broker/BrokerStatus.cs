namespace CathLab.LiveFeed.Broker;

/// <summary>The broker side of the live feed as its status reports it: whether the connection is up, what went out,
/// and what was dropped because the broker was slow or unreachable (acquisition and the local observers never wait).</summary>
public readonly record struct BrokerStatus(bool Connected, long FramesPublished, long MessagesPublished, long BytesPublished, long FramesDropped, long EventsDropped, string? LastError);
