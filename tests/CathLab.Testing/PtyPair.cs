using CathLab.Sims.SerialLine;

namespace CathLab.Testing;

/// <summary>A socat pseudo-terminal pair for tests: the station's end and the generator's end of one cable.</summary>
public sealed class PtyPair : IDisposable
{
    private readonly PseudoTerminalPair _pair = new();

    public string StationEnd => _pair.StationEnd;
    public string GeneratorEnd => _pair.GeneratorEnd;

    public void Dispose() => _pair.Dispose();
}
