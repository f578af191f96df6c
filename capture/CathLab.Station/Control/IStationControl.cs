using CathLab.Acquisition.Protocols;
using CathLab.FirmwareBridge.Exposure;

namespace CathLab.Station.Control;

/// <summary>What the technician can do to the station, whatever drives it: the gRPC control service (and through it
/// the <c>cathlab</c> console), the pedals, or a test. Every call is checked here; a refused call throws
/// <see cref="StationRefusedException"/> with the reason, and changes nothing.</summary>
public interface IStationControl
{
    /// <summary>A snapshot of everything the console shows; cheap, safe to poll a few times a second.</summary>
    StationStatus Status { get; }

    IReadOnlyList<AcquisitionProtocol> Protocols { get; }

    /// <summary>Asks the Modality Worklist provider for today's (or the given day's) scheduled XA steps for this station,
    /// optionally narrowed to a patient; an entry's <see cref="WorklistEntryView.Id"/> starts an exam (ExamRequest.WorklistItemId).</summary>
    Task<IReadOnlyList<WorklistEntryView>> QueryWorklistAsync(WorklistQuery query, CancellationToken cancellationToken);

    /// <summary>Opens an exam for a patient; refused while an exam is open.</summary>
    Task<ExamView> StartExamAsync(ExamRequest request, CancellationToken cancellationToken);

    /// <summary>Closes the open exam (stopping any exposure first) and hands its objects to publishing.</summary>
    Task<ExamView> EndExamAsync(ExamEnd end, CancellationToken cancellationToken);

    /// <summary>Picks the protocol the next pedal press uses, with the side of a paired body part ("R", "L" or "" when
    /// unknown); refused while exposing, or with a side for a body part that is not paired.</summary>
    void SelectProtocol(string name, string laterality = "");

    /// <summary>Pedal down: starts fluoro or a recorded run with the selected (or named) protocol; returns once emission
    /// was requested. <paramref name="laterality"/> null takes the side selected with the protocol;
    /// <paramref name="source"/> is the held switch that pressed (hardware pedal, console or browser hold stream).</summary>
    Task<RunView> PedalDownAsync(string? protocol, CancellationToken cancellationToken, string? laterality = null, InputSource source = InputSource.HardwarePedal);

    /// <summary>Pedal up: stops emission at once, then waits for the run to close and returns what it became.
    /// <paramref name="why"/> says how the pedal came up (released, stream ended, lease expired, connection lost).</summary>
    Task<RunView> PedalUpAsync(CancellationToken cancellationToken, InputSource source = InputSource.HardwarePedal, string? why = null);

    /// <summary>Keeps the last <paramref name="seconds"/> of fluoro (held in memory since the last fluoro run) as a recorded run.</summary>
    Task<RunView> SaveLastFluoroAsync(double seconds, CancellationToken cancellationToken);

    /// <summary>Chooses other mask frames for a recorded DSA run, without re-acquiring; the run's object is re-issued.</summary>
    Task<RunView> RemaskAsync(int runNumber, IReadOnlyList<int> maskFrames, CancellationToken cancellationToken);

    /// <summary>Clears a generator fault once its cause is gone.</summary>
    Task ResetFaultAsync(CancellationToken cancellationToken);

    /// <summary>Silences the fluoro timer's alarm (latched at each 5 minutes of cumulative fluoro); returns whether it was on.</summary>
    bool ResetFluoroTimer();

    /// <summary>What publishing holds: pending, sent, committed and failed objects, newest first.</summary>
    IReadOnlyList<OutboxItemView> Outbox { get; }

    /// <summary>Offers a failed object again, to its own destination or to <paramref name="destination"/> (an AE title of a configured peer).</summary>
    void RetryOutboxItem(long id, string? destination);
}

/// <summary>A call the station refuses (no exam open, a run already exposing, an unknown protocol, a value out of range).</summary>
public sealed class StationRefusedException(string message) : Exception(message);
