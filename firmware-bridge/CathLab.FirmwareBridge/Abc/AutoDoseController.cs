using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Abc;

/// <summary>How the automatic dose control behaves.</summary>
public sealed record AbcOptions
{
    public DoseCurveKind Curve { get; init; } = DoseCurveKind.Normal;

    /// <summary>Target mean brightness above dark in the measuring field (LSB).</summary>
    public double TargetBrightness { get; init; } = 1500;

    /// <summary>Fraction of the log-brightness error corrected per frame. The correction is made from the technique
    /// that made the measured frame (not from the last command), so the command→image delay cannot stack corrections;
    /// with a gain below 1/s (s = true over nominal kV sensitivity, 0.7–1.3 for 10–30 cm of water) the loop converges
    /// without overshoot or oscillation.</summary>
    public double Gain { get; init; } = 0.75;

    /// <summary>Largest log-brightness error acted on in one frame (e^2 ≈ 7×), against single-frame glitches.</summary>
    public double MaxStepLn { get; init; } = 2.0;

    /// <summary>A target for cine: a per-frame detector dose, converted with the detector's response.</summary>
    public static double TargetFromDetectorDose(double microGrayPerFrame, double lsbPerMicroGray) => microGrayPerFrame * lsbPerMicroGray;
}

/// <summary>What the controller decided for one frame.</summary>
/// <param name="Frame">Frames seen by this controller, from 1.</param>
/// <param name="Brightness">Measured brightness above dark.</param>
/// <param name="FrameTechnique">The technique that made the measured frame (from its pulse report).</param>
/// <param name="Requested">What the dose curve asked for.</param>
/// <param name="Applied">What goes to the generator after the hard limits.</param>
public readonly record struct AbcDecision(long Frame, double Brightness, double Target, Technique FrameTechnique, Technique Requested, LimitedTechnique Applied)
{
    public bool Limited => Applied.DoseLimited;
}

/// <summary>The closed loop from frame brightness to technique, along a dose curve, behind the hard limits.
/// One instance per exposure kind and pulse rate; not thread-safe (one frame at a time).</summary>
public sealed class AutoDoseController
{
    private readonly DoseRateLimiter _limiter;
    private long _frames;
    private TechniqueLimits _lastLimits;
    private bool _limitedLast;
    private double _lastRequestedOutput;

    public AutoDoseController(DoseRateLimiter limiter, ExposureKind kind, double pulseRate, AbcOptions? options = null)
    {
        _limiter = limiter;
        Kind = kind;
        PulseRate = pulseRate;
        Options = options ?? new AbcOptions();
        Curve = DoseCurve.Create(Options.Curve, limiter.Capabilities, kind);
    }

    public ExposureKind Kind { get; }
    public double PulseRate { get; }
    public AbcOptions Options { get; }
    public DoseCurve Curve { get; }
    public DoseRateLimiter Limiter => _limiter;

    /// <summary>Raised when a hard limit starts cutting the technique, and when it stops.</summary>
    public event Action<BridgeAlert>? Alert;

    /// <summary>The technique to start an exposure with: the curve at <paramref name="startOutputFraction"/> of its range, limited.</summary>
    public LimitedTechnique Initial(double startOutputFraction = 0.35)
    {
        double output = Curve.MinOutput + Math.Clamp(startOutputFraction, 0, 1) * (Curve.MaxOutput - Curve.MinOutput);
        return _limiter.Apply(Curve.At(output), Kind, PulseRate);
    }

    /// <summary>Decides the next technique from the brightness of a frame and the technique that made it.</summary>
    public AbcDecision Next(double brightness, in Technique frameTechnique)
    {
        _frames++;
        double target = Options.TargetBrightness;
        // No reading (NaN, zero, negative) means no light: ask for more, within the limits.
        double measured = double.IsFinite(brightness) && brightness > 1e-3 ? brightness : 1e-3;
        double error = Math.Clamp(Math.Log(target / measured), -Options.MaxStepLn, Options.MaxStepLn);
        double frameOutput = IsUsable(frameTechnique) ? DoseCurve.Output(frameTechnique) : Curve.MinOutput;
        double requestedOutput = frameOutput + Options.Gain * error;
        // Held at a limit and still too dark: the request only climbs. Otherwise a limited frame, whose technique sits
        // below the curve, would pull the request back down, and the limit cycles between kV regions instead of holding.
        if (_limitedLast && error > 0.05) requestedOutput = Math.Max(requestedOutput, _lastRequestedOutput);
        _lastRequestedOutput = requestedOutput;
        var requested = Curve.At(requestedOutput);
        var applied = _limiter.Apply(requested, Kind, PulseRate);
        var decision = new AbcDecision(_frames, brightness, target, frameTechnique, requested, applied);
        _limitedLast = decision.Limited;
        ReportLimits(decision);
        return decision;
    }

    private static bool IsUsable(in Technique t) =>
        double.IsFinite(t.Kv) && double.IsFinite(t.Ma) && double.IsFinite(t.PulseWidthMs) && t.Kv > 0 && t.Ma > 0 && t.PulseWidthMs > 0;

    private void ReportLimits(in AbcDecision decision)
    {
        var limits = decision.Applied.Limits & ~TechniqueLimits.GeneratorRange;
        if (limits == _lastLimits) return;
        _lastLimits = limits;
        var kind = (limits & TechniqueLimits.DoseRate) != 0 || limits == TechniqueLimits.None ? BridgeAlertKind.DoseRateLimited : BridgeAlertKind.TubeLimited;
        string text = limits == TechniqueLimits.None
            ? $"frame {decision.Frame}: technique no longer limited"
            : $"frame {decision.Frame}: {limits} limit holds the technique at {decision.Applied.Technique} " +
              $"({decision.Applied.PredictedRateMilliGrayPerMin:0.0} of {decision.Applied.RateLimitMilliGrayPerMin:0} mGy/min); " +
              $"brightness {decision.Brightness:0} of {decision.Target:0} target: the image gets noisier, the dose does not rise";
        Alert?.Invoke(new BridgeAlert(kind, DateTimeOffset.UtcNow, text));
    }
}
