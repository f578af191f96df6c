using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Dose;

/// <summary>Dose of one run or one exam, from the generator's own pulse reports.</summary>
public sealed record DoseTotals(
    double ReferenceAirKermaMilliGray,
    double DoseAreaProductGyCm2,
    TimeSpan FluoroTime,
    int FluoroPulses,
    int CinePulses,
    int Exposures)
{
    public static DoseTotals Zero { get; } = new(0, 0, TimeSpan.Zero, 0, 0, 0);

    public int Pulses => FluoroPulses + CinePulses;
}

/// <summary>One exposure (ExposureStarted to ExposureEnded) and its dose.</summary>
public sealed record RunDose(int Number, ExposureKind Kind, double PulseRate, DoseTotals Totals);

/// <summary>Keeps cumulative reference air kerma (Ka,r), dose-area product and fluoro time per run and per exam
/// from Pulse events. Every 5 minutes of cumulative fluoro time the fluoro timer's alarm latches: it is signalled at
/// once and again at most once a second while fluoro goes on, until the operator resets it
/// (<see cref="ResetFluoroAlarm"/>), as IEC 60601-2-43 and 21 CFR 1020.32(h) ask of the cumulative timer. Thread-safe.</summary>
public sealed class DoseLedger
{
    public static readonly TimeSpan FluoroAlertInterval = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly List<RunDose> _runs = [];
    private readonly TimeProvider _time;
    private Accumulator _exam;
    private Accumulator _run;
    private ExposureKind? _runKind;
    private double _runRate;
    private BeamGeometry _geometry = BeamGeometry.Default;
    private int _fluoroAlertsRaised;
    private bool _fluoroAlarm;
    private DateTimeOffset _fluoroAlarmSignalled;

    /// <summary>How often a latched fluoro-timer alarm is signalled again while fluoro goes on.</summary>
    public static readonly TimeSpan FluoroAlarmRepeat = TimeSpan.FromSeconds(1);

    /// <summary>True from a 5-minute mark of cumulative fluoro time until the operator resets the alarm.</summary>
    public bool FluoroAlarmActive
    {
        get { lock (_gate) return _fluoroAlarm; }
    }

    /// <summary>The operator silences the fluoro timer's alarm; it latches again at the next 5-minute mark. Returns whether it was on.</summary>
    public bool ResetFluoroAlarm()
    {
        lock (_gate)
        {
            bool was = _fluoroAlarm;
            _fluoroAlarm = false;
            return was;
        }
    }

    public DoseLedger(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The geometry applied to the pulses that follow (set it when the collimator or SID moves).</summary>
    public BeamGeometry Geometry
    {
        get { lock (_gate) return _geometry; }
        set
        {
            value.Validate();
            lock (_gate) _geometry = value;
        }
    }

    public DoseTotals Exam
    {
        get { lock (_gate) return _exam.Totals; }
    }

    /// <summary>The running exposure, or the last one when none runs.</summary>
    public DoseTotals CurrentRun
    {
        get { lock (_gate) return _run.Totals; }
    }

    public IReadOnlyList<RunDose> Runs
    {
        get { lock (_gate) return [.. _runs]; }
    }

    public event Action<BridgeAlert>? Alert;

    /// <summary>Starts a new exam: all totals back to zero.</summary>
    public void StartExam()
    {
        lock (_gate)
        {
            _exam = default;
            _run = default;
            _runs.Clear();
            _runKind = null;
            _fluoroAlertsRaised = 0;
        }
    }

    /// <summary>Feeds one generator event; only ExposureStarted, Pulse and ExposureEnded matter.</summary>
    public void Observe(GeneratorEvent e)
    {
        BridgeAlert? alert = null;
        lock (_gate)
        {
            switch (e)
            {
                case ExposureStartedEvent started:
                    _run = default;
                    _run.Exposures = 1;
                    _exam.Exposures++;
                    _runKind = started.Setting.Kind;
                    _runRate = started.Setting.PulseRate;
                    break;
                case PulseEvent pulse:
                    alert = AddPulse(pulse);
                    break;
                case ExposureEndedEvent:
                    CloseRun();
                    break;
            }
        }
        if (alert is not null) Alert?.Invoke(alert);
    }

    private BridgeAlert? AddPulse(PulseEvent pulse)
    {
        if (_runKind is null)
        {
            // A pulse without ExposureStarted (the station connected mid-exposure): count it in a run of its own kind.
            _runKind = pulse.Kind;
            _runRate = 0;
            _run = default;
            _run.Exposures = 1;
            _exam.Exposures++;
        }
        double kermaMilliGray = pulse.AirKermaMilliGray;
        double dapGyCm2 = kermaMilliGray / 1000.0 * _geometry.FieldAreaAtReferenceCm2;
        bool fluoro = pulse.Kind is ExposureKind.Fluoro or ExposureKind.HighLevelFluoro;
        // Each fluoro pulse stands for one pulse interval of beam-on time.
        double fluoroSeconds = fluoro && _runRate > 0 ? 1.0 / _runRate : 0;
        _run.Add(kermaMilliGray, dapGyCm2, fluoroSeconds, fluoro);
        _exam.Add(kermaMilliGray, dapGyCm2, fluoroSeconds, fluoro);
        int due = (int)Math.Floor(_exam.FluoroSeconds / FluoroAlertInterval.TotalSeconds + 1e-9);
        var now = _time.GetUtcNow();
        if (due > _fluoroAlertsRaised)
        {
            _fluoroAlertsRaised = due;
            _fluoroAlarm = true;
        }
        else if (!(_fluoroAlarm && fluoro && now - _fluoroAlarmSignalled >= FluoroAlarmRepeat))
        {
            return null;
        }
        _fluoroAlarmSignalled = now;
        return new BridgeAlert(BridgeAlertKind.FluoroTime, now,
            $"cumulative fluoroscopy time {_exam.FluoroSeconds / 60:0.0} min (alert {due}), Ka,r {_exam.KermaMilliGray:0.0} mGy: reset the fluoro timer");
    }

    private void CloseRun()
    {
        if (_runKind is { } kind)
        {
            _runs.Add(new RunDose(_runs.Count + 1, kind, _runRate, _run.Totals));
        }
        _runKind = null;
    }

    private struct Accumulator
    {
        public double KermaMilliGray;
        public double DapGyCm2;
        public double FluoroSeconds;
        public int FluoroPulses;
        public int CinePulses;
        public int Exposures;

        public void Add(double kerma, double dap, double fluoroSeconds, bool fluoro)
        {
            KermaMilliGray += kerma;
            DapGyCm2 += dap;
            FluoroSeconds += fluoroSeconds;
            if (fluoro) FluoroPulses++; else CinePulses++;
        }

        public readonly DoseTotals Totals => new(KermaMilliGray, DapGyCm2, TimeSpan.FromSeconds(FluoroSeconds), FluoroPulses, CinePulses, Exposures);
    }
}
