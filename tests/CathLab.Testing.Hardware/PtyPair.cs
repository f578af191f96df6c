using CathLab.Sims.SerialLine;

namespace CathLab.Testing;

/// <summary>A socat pseudo-terminal pair for tests: the station's end and the generator's end of one cable.</summary>
public sealed class PtyPair : IDisposable
{
    private readonly PseudoTerminalPair _pair = new();

    public string StationEnd => _pair.StationEnd;
    public string GeneratorEnd => _pair.GeneratorEnd;
    public bool Connected => _pair.Connected;

    /// <summary>Pulls the cable: socat dies and both paths disappear.</summary>
    public void Pull() => _pair.Pull();

    /// <summary>Plugs a new cable in at the same two paths.</summary>
    public void Restore() => _pair.Restore();

    public void Dispose() => _pair.Dispose();
}
