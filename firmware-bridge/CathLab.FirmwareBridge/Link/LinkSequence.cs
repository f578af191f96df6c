namespace CathLab.FirmwareBridge.Link;

/// <summary>The station's SEQ counter, shared by commands and heartbeats (docs/generator-protocol.md): it starts at a
/// random value so a restarted station is not taken for a repeat of its previous session's commands.</summary>
internal sealed class LinkSequence
{
    private int _value = Random.Shared.Next(1, 0x10000);

    public ushort Next() => (ushort)Interlocked.Increment(ref _value);
}
