using CathLab.FirmwareBridge;
using CathLab.Wire.Generator;

namespace CathLab.Station.Exam;

/// <summary>Raises the generator's technique and the exam's dose as exam events (to the live feed's observers), from the generator's
/// own events: the technique when a pulse's differs from the one last published (and at every exposure's first
/// pulse), the cumulative dose at most every <see cref="DoseEvery"/> while exposing and at every exposure's end.
/// The live feed replays the latest of each to an observer that joins. Runs on the link's event thread: each call is a
/// comparison, and at most a few small events a second.</summary>
public sealed class TechniqueAndDoseEvents : IHostedService
{
    public static readonly TimeSpan DoseEvery = TimeSpan.FromMilliseconds(500);

    private readonly GeneratorBridge _bridge;
    private readonly IExamEvents _events;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Technique? _published;
    private double _pulseRate;
    private long _doseAt = long.MinValue;

    public TechniqueAndDoseEvents(GeneratorBridge bridge, IExamEvents events, TimeProvider time)
    {
        _bridge = bridge;
        _events = events;
        _time = time;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _bridge.Link.EventReceived += OnEvent;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _bridge.Link.EventReceived -= OnEvent;
        return Task.CompletedTask;
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
        if (techniqueChanged) _events.TechniqueChanged(technique, rate);
        if (doseDue) PublishDose();
    }

    private void PublishDose() => _events.DoseChanged(_bridge.Dose.Exam);
}
