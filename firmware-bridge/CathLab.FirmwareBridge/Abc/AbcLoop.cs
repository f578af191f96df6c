using CathLab.FirmwareBridge.Link;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CathLab.FirmwareBridge.Abc;

/// <summary>Closes the automatic dose control loop to the generator: each raw frame is measured, the controller
/// decides, and the limited technique goes out with SetTechnique. At most one SetTechnique is in flight; a newer
/// decision replaces one still waiting, so the generator always gets the latest.</summary>
public sealed class AbcLoop
{
    private readonly IGeneratorLink _link;
    private readonly ILogger _logger;
    private readonly DoseRateGuard? _guard;
    private readonly Lock _gate = new();
    private bool _sending;
    private Technique? _waiting;

    /// <param name="guard">Told of every limited technique, so a limit that technique cannot hold stops emission.</param>
    public AbcLoop(IGeneratorLink link, AutoDoseController controller, MeasuringField field, ILogger<AbcLoop>? logger = null, DoseRateGuard? guard = null)
    {
        _link = link;
        _guard = guard;
        Controller = controller;
        Field = field;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public AutoDoseController Controller { get; }
    public MeasuringField Field { get; }

    /// <summary>The last technique the generator confirmed (its read-back).</summary>
    public TechniqueSetting? Confirmed { get; private set; }

    public long TechniquesSent { get; private set; }
    public long SendFailures { get; private set; }

    /// <summary>Sends the controller's starting technique and waits for the read-back; call before ExposeOn.</summary>
    public async Task<TechniqueSetting> StartAsync(CancellationToken cancellationToken = default)
    {
        var initial = Controller.Initial();
        var setting = new TechniqueSetting(Controller.Kind, initial.Technique, Controller.PulseRate);
        Confirmed = await _link.SetTechniqueAsync(setting, cancellationToken).ConfigureAwait(false);
        return Confirmed.Value;
    }

    /// <summary>One raw frame and the technique that made it (from its header or pulse report).</summary>
    public AbcDecision OnFrame(ReadOnlySpan<ushort> pixels, int width, int height, in Technique frameTechnique, PixelRect? openField = null)
    {
        var reading = Field.Measure(pixels, width, height, openField);
        return OnBrightness(reading.MeanAboveDark, frameTechnique);
    }

    /// <summary>One brightness reading and the technique that made it.</summary>
    public AbcDecision OnBrightness(double brightness, in Technique frameTechnique)
    {
        var decision = Controller.Next(brightness, frameTechnique);
        _guard?.Check(decision.Applied);
        Send(decision.Applied.Technique);
        return decision;
    }

    private void Send(Technique technique)
    {
        lock (_gate)
        {
            if (_sending)
            {
                _waiting = technique;
                return;
            }
            _sending = true;
        }
        _ = SendLoopAsync(technique);
    }

    private async Task SendLoopAsync(Technique technique)
    {
        while (true)
        {
            try
            {
                Confirmed = await _link.SetTechniqueAsync(new TechniqueSetting(Controller.Kind, technique, Controller.PulseRate)).ConfigureAwait(false);
                TechniquesSent++;
            }
            catch (Exception e) when (e is GeneratorRefusedException or GeneratorLinkDownException or CommandPreemptedException or GeneratorProtocolException)
            {
                SendFailures++;
                _logger.LogWarning("ABC technique {Technique} not applied: {Message}", technique, e.Message);
            }
            lock (_gate)
            {
                if (_waiting is not { } next)
                {
                    _sending = false;
                    return;
                }
                _waiting = null;
                technique = next;
            }
        }
    }
}
