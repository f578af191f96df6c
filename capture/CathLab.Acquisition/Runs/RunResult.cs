using CathLab.Acquisition.Protocols;
using CathLab.FirmwareBridge.Dose;

namespace CathLab.Acquisition.Runs;

/// <summary>What a run really was: the generator's pulses against the frames the station received and kept.</summary>
public sealed record RunResult(
    AcquisitionProtocol Protocol,
    int Number,
    int Pulses,
    long FramesReceived,
    long FramesLost,
    double AirKermaMilliGray,
    TimeSpan Duration,
    string? Failure)
{
    /// <summary>The dose ledger's totals for this run (Ka,r, DAP, pulses, fluoro time), from the generator's pulse reports.</summary>
    public DoseTotals Dose { get; init; } = DoseTotals.Zero;

    /// <summary>A recorded run is complete only when every pulse made a frame and nothing was lost on the way.</summary>
    public bool Complete => Failure is null;
}
