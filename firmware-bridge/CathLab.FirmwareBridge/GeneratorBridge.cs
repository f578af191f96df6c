using CathLab.FirmwareBridge.Abc;
using CathLab.FirmwareBridge.Dose;
using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Link;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CathLab.FirmwareBridge;

/// <summary>The firmware bridge as the station uses it: the generator link, the exposure state machine, the dose
/// ledger and the tube-output calibration, wired to the link's events; automatic dose control loops on demand.
/// Every technique sent through the bridge passes the hard limits first.</summary>
public sealed class GeneratorBridge : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;
    private readonly IGeneratorLink _link;

    public GeneratorBridge(IGeneratorLink link, ILoggerFactory? loggers = null, ExposureControlOptions? exposure = null, TimeProvider? time = null)
    {
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _link = link;
        Exposure = new ExposureController(link, _loggers.CreateLogger<ExposureController>(), time, exposure);
        Dose = new DoseLedger();
        Calibration = new TubeOutputCalibration();
        DoseGuard = new DoseRateGuard(Exposure);
        link.EventReceived += OnEvent;
        Exposure.Alert += RaiseAlert;
        Dose.Alert += RaiseAlert;
    }

    /// <summary>The link as the rest of the station may see it: state, identity, capabilities and events, no commands.
    /// Emission is commanded only through <see cref="Exposure"/>.</summary>
    public IGeneratorLinkStatus Link => _link;
    public ExposureController Exposure { get; }
    public DoseLedger Dose { get; }
    public TubeOutputCalibration Calibration { get; }

    /// <summary>Stops emission when the dose-rate limit cannot be held by technique (the ABC loops made here report
    /// to it) or the generator reports a rate over it.</summary>
    public DoseRateGuard DoseGuard { get; }

    /// <summary>The tube's heat from its last Heat event (heat units).</summary>
    public double HeatUnits { get; private set; }

    /// <summary>Alerts from every part: exposure, dose, and the ABC loops made here.</summary>
    public event Action<BridgeAlert>? Alert;

    public Task ConnectAsync(CancellationToken cancellationToken = default) => _link.ConnectAsync(cancellationToken);

    /// <summary>Where the generator says it stands (a read; it changes nothing).</summary>
    public Task<GeneratorStatus> GetStatusAsync(CancellationToken cancellationToken = default) => _link.GetStatusAsync(cancellationToken);

    /// <summary>The technique the generator holds for a kind (its read-back).</summary>
    public Task<TechniqueSetting> GetTechniqueAsync(ExposureKind kind, CancellationToken cancellationToken = default) =>
        _link.GetTechniqueAsync(kind, cancellationToken);

    /// <summary>A limiter over the connected generator's capabilities and this bridge's calibration.</summary>
    public DoseRateLimiter CreateLimiter()
    {
        var caps = Link.Capabilities ?? throw new InvalidOperationException("connect first: the generator's capabilities are not known");
        var limiter = new DoseRateLimiter(caps, Calibration) { HeatUnits = HeatUnits };
        lock (_limiters) _limiters.Add(new WeakReference<DoseRateLimiter>(limiter));
        return limiter;
    }

    private readonly List<WeakReference<DoseRateLimiter>> _limiters = [];

    /// <summary>An automatic dose control loop for one exposure kind at one pulse rate.</summary>
    public AbcLoop CreateAbc(ExposureKind kind, double pulseRate, AbcOptions? options = null, MeasuringFieldOptions? field = null)
    {
        var controller = new AutoDoseController(CreateLimiter(), kind, pulseRate, options);
        controller.Alert += RaiseAlert;
        return new AbcLoop(_link, controller, new MeasuringField(field), _loggers.CreateLogger<AbcLoop>(), DoseGuard);
    }

    /// <summary>Sets a technique by hand (console), after the hard limits; returns the generator's read-back and the limits that cut it.</summary>
    public async Task<(TechniqueSetting Stored, LimitedTechnique Limited)> SetTechniqueAsync(TechniqueSetting setting, CancellationToken cancellationToken = default)
    {
        var limited = CreateLimiter().Apply(setting.Technique, setting.Kind, setting.PulseRate);
        var stored = await _link.SetTechniqueAsync(setting with { Technique = limited.Technique }, cancellationToken).ConfigureAwait(false);
        return (stored, limited);
    }

    private void OnEvent(GeneratorEvent e)
    {
        Dose.Observe(e);
        DoseGuard.Observe(e);
        switch (e)
        {
            case PulseEvent pulse:
                Calibration.Observe(pulse);
                break;
            case HeatEvent heat:
                HeatUnits = heat.HeatUnits;
                lock (_limiters)
                {
                    _limiters.RemoveAll(w => !w.TryGetTarget(out _));
                    foreach (var weak in _limiters)
                    {
                        if (weak.TryGetTarget(out var limiter)) limiter.HeatUnits = heat.HeatUnits;
                    }
                }
                break;
        }
    }

    private void RaiseAlert(BridgeAlert alert) => Alert?.Invoke(alert);

    public async ValueTask DisposeAsync()
    {
        _link.EventReceived -= OnEvent;
        Exposure.Dispose();
        await _link.DisposeAsync().ConfigureAwait(false);
    }
}
