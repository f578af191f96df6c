using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Abc;

/// <summary>Which hard limits cut a technique.</summary>
[Flags]
public enum TechniqueLimits
{
    None = 0,
    /// <summary>Air kerma rate at the reference point (88 mGy/min fluoro, 176 mGy/min high-level).</summary>
    DoseRate = 1,
    /// <summary>The tube's maximum power (kV·mA).</summary>
    Power = 2,
    /// <summary>The tube's heat capacity.</summary>
    Heat = 4,
    /// <summary>A factor outside the generator's reported range.</summary>
    GeneratorRange = 8,
}

/// <summary>A technique after the hard limits, with what they predict for it.</summary>
public readonly record struct LimitedTechnique(Technique Technique, TechniqueLimits Limits, double PredictedRateMilliGrayPerMin, double RateLimitMilliGrayPerMin)
{
    public bool DoseLimited => (Limits & (TechniqueLimits.DoseRate | TechniqueLimits.Power | TechniqueLimits.Heat)) != 0;

    /// <summary>Even after every cut (the generator's minimum technique at worst) the predicted rate is over the legal
    /// limit: the limit cannot be held by technique, only by stopping emission.</summary>
    public bool OverLimit => PredictedRateMilliGrayPerMin > RateLimitMilliGrayPerMin;
}

/// <summary>The hard clamp applied after the controller, before the technique is sent: no brightness reading can
/// push the predicted air kerma rate at the reference point past the legal limit, or the tube past its power or
/// heat limit. The rate is predicted from the worst-case tube output per mAs (<see cref="TubeOutputCalibration"/>)
/// at the chosen kV and the pulse rate, so the limit holds before the pulse, not only after it.</summary>
public sealed class DoseRateLimiter(GeneratorCapabilities capabilities, TubeOutputCalibration calibration)
{
    public const double FluoroLimitMilliGrayPerMin = 88;
    public const double HighLevelLimitMilliGrayPerMin = 176;
    public const double HeatUnitsPerKvMas = 1.35;

    private double _heatUnits;

    public GeneratorCapabilities Capabilities { get; } = capabilities;
    public TubeOutputCalibration Calibration { get; } = calibration;

    /// <summary>Aim at this fraction of the legal limit, to cover rounding and the generator's measurement spread.</summary>
    public double Margin { get; init; } = 0.95;

    /// <summary>Heat may not pass this fraction of capacity within <see cref="HeatHorizon"/> at the chosen technique.</summary>
    public double HeatCeiling { get; init; } = 0.90;

    public TimeSpan HeatHorizon { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The tube's heat, from the generator's Heat events.</summary>
    public double HeatUnits
    {
        get => Volatile.Read(ref _heatUnits);
        set => Volatile.Write(ref _heatUnits, value);
    }

    public static double RateLimitFor(ExposureKind kind) => kind switch
    {
        ExposureKind.Fluoro => FluoroLimitMilliGrayPerMin,
        ExposureKind.HighLevelFluoro => HighLevelLimitMilliGrayPerMin,
        _ => double.PositiveInfinity, // cine: no rate cap, every exposure counted
    };

    /// <summary>Predicted worst-case air kerma rate at the reference point (mGy/min).</summary>
    public double PredictRate(in Technique t, double pulseRate) =>
        Calibration.UpperBoundMilliGrayPerMas(t.Kv) * t.MilliampereSeconds * pulseRate * 60.0;

    public LimitedTechnique Apply(in Technique desired, ExposureKind kind, double pulseRate)
    {
        var caps = Capabilities;
        var limits = TechniqueLimits.None;
        double widthMax = kind == ExposureKind.Cine ? caps.CinePulseWidthMaxMs : caps.PulseWidthMs.Max;
        if (!double.IsFinite(desired.Kv) || !double.IsFinite(desired.Ma) || !double.IsFinite(desired.PulseWidthMs)) limits |= TechniqueLimits.GeneratorRange;
        double kv = Sanitise(desired.Kv, caps.Kv.Min);
        double ma = Sanitise(desired.Ma, caps.Ma.Min);
        double width = Sanitise(desired.PulseWidthMs, caps.PulseWidthMs.Min);
        if (!caps.Kv.Contains(kv) || !caps.Ma.Contains(ma) || width < caps.PulseWidthMs.Min || width > widthMax) limits |= TechniqueLimits.GeneratorRange;
        kv = caps.Kv.Clamp(kv);
        ma = caps.Ma.Clamp(ma);
        width = Math.Clamp(width, caps.PulseWidthMs.Min, widthMax);
        double rate = caps.PulseRate.Clamp(pulseRate);

        double maPower = caps.MaxPowerKw * 1000.0 / kv;
        if (ma > maPower)
        {
            ma = maPower;
            limits |= TechniqueLimits.Power;
        }

        double heatRoom = Math.Max(0, HeatCeiling * caps.HeatCapacityUnits - HeatUnits);
        double masHeat = heatRoom / (HeatHorizon.TotalSeconds * rate * kv * HeatUnitsPerKvMas);
        if (ma * width / 1000.0 > masHeat)
        {
            (ma, width) = ReduceMas(masHeat, ma, width, caps);
            limits |= TechniqueLimits.Heat;
        }

        double rateLimit = RateLimitFor(kind);
        if (!double.IsPositiveInfinity(rateLimit))
        {
            double allowed = rateLimit * Margin;
            double masAllowed = allowed / (Calibration.UpperBoundMilliGrayPerMas(kv) * rate * 60.0);
            if (ma * width / 1000.0 > masAllowed)
            {
                (ma, width) = ReduceMas(masAllowed, ma, width, caps);
                limits |= TechniqueLimits.DoseRate;
                // At the smallest mAs, lower kV until the output fits.
                while (PredictRate(new Technique(kv, ma, width), rate) > allowed && kv > caps.Kv.Min)
                {
                    kv = Math.Max(caps.Kv.Min, kv - 0.5);
                }
            }
        }

        // Round to the wire's steps: down when a limit cut the technique, so the generator never gets more than was
        // checked; to the nearest step otherwise, so the loop does not sit a step below its target.
        bool cut = (limits & (TechniqueLimits.DoseRate | TechniqueLimits.Power | TechniqueLimits.Heat)) != 0;
        var t = Round(new Technique(kv, ma, width), caps, widthMax, down: cut);
        if (!cut && !double.IsPositiveInfinity(rateLimit) && PredictRate(t, rate) > rateLimit * Margin)
        {
            t = Round(new Technique(kv, ma, width), caps, widthMax, down: true);
        }
        return new LimitedTechnique(t, limits, PredictRate(t, rate), rateLimit);
    }

    private static double Sanitise(double value, double fallback) => double.IsFinite(value) ? value : fallback;

    /// <summary>Lowers mAs to <paramref name="masMax"/>: pulse width first (sharper too), then mA.</summary>
    private static (double Ma, double Width) ReduceMas(double masMax, double ma, double width, GeneratorCapabilities caps)
    {
        double widthMin = caps.PulseWidthMs.Min;
        if (ma * width / 1000.0 <= masMax) return (ma, width);
        width = Math.Max(widthMin, Math.Min(width, masMax * 1000.0 / ma));
        if (ma * width / 1000.0 > masMax)
        {
            ma = Math.Max(caps.Ma.Min, masMax * 1000.0 / width);
        }
        return (ma, width);
    }

    private static Technique Round(in Technique t, GeneratorCapabilities caps, double widthMax, bool down)
    {
        double Step(double v, double unit, double min, double max)
        {
            double steps = down ? Math.Floor(v / unit + 1e-9) : Math.Round(v / unit);
            return Math.Clamp(steps * unit, min, max);
        }
        double kv = Step(t.Kv, TechniqueUnits.Kv, caps.Kv.Min, caps.Kv.Max);
        double ma = Step(t.Ma, TechniqueUnits.Ma, caps.Ma.Min, caps.Ma.Max);
        if (kv * ma > caps.MaxPowerKw * 1000.0) ma = Math.Floor(caps.MaxPowerKw * 1000.0 / kv / TechniqueUnits.Ma) * TechniqueUnits.Ma;
        return new Technique(kv, ma, Step(t.PulseWidthMs, TechniqueUnits.PulseWidthMs, caps.PulseWidthMs.Min, widthMax));
    }
}
