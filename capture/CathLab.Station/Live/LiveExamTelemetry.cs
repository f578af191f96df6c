using CathLab.FirmwareBridge;
using CathLab.LiveFeed;
using CathLab.Wire.Generator;

namespace CathLab.Station.Live;

/// <summary>Publishes the generator's technique and the exam's dose to the live feed's observers, from the generator's
/// own events: the technique when a pulse's differs from the one last published (and at every exposure's first
/// pulse), the cumulative dose at most every <see cref="DoseEvery"/> while exposing and at every exposure's end.
/// The hub replays the latest of each to an observer that joins. Runs on the link's event thread: each call is a
/// comparison, and at most a few small events a second.</summary>
public sealed class LiveExamTelemetry : IDisposable
{
    public static readonly TimeSpan DoseEvery = TimeSpan.FromMilliseconds(500);

    private readonly GeneratorBridge _bridge;
    private readonly LiveFeedHub _hub;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Technique? _published;
    private double _pulseRate;
    private long _doseAt = long.MinValue;

    public LiveExamTelemetry(GeneratorBridge bridge, LiveFeedHub hub, TimeProvider time)
    {
        _bridge = bridge;
        _hub = hub;
        _time = time;
        bridge.Link.EventReceived += OnEvent;
    }

    private void OnEvent(GeneratorEvent e)
    {
        switch (e)
        {
            case ExposureStartedEvent started:
                lock (_gate)
                {
                    _pulseRate = started.Setting.PulseRate;
                    _published = null;
                }
                break;
            case PulseEvent pulse:
                OnPulse(pulse.Technique);
                break;
            case ExposureEndedEvent:
                PublishDose();
                break;
        }
    }

    private void OnPulse(Technique technique)
    {
        bool techniqueChanged, doseDue;
        double rate;
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            techniqueChanged = _published != technique;
            if (techniqueChanged) _published = technique;
            rate = _pulseRate;
            doseDue = _doseAt == long.MinValue || _time.GetElapsedTime(_doseAt, now) >= DoseEvery;
            if (doseDue) _doseAt = now;
        }
        if (techniqueChanged) _hub.PublishTechnique(technique.Kv, technique.Ma, technique.PulseWidthMs, rate);
        if (doseDue) PublishDose();
    }

    private void PublishDose()
    {
        var dose = _bridge.Dose.Exam;
        _hub.PublishDose(dose.ReferenceAirKermaMilliGray, dose.DoseAreaProductGyCm2, dose.FluoroTime.TotalSeconds);
    }

    public void Dispose() => _bridge.Link.EventReceived -= OnEvent;
}
