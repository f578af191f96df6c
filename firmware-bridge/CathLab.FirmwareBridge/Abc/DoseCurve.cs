using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Abc;

/// <summary>The selectable dose curves: how the controller climbs through kV, mA and pulse width as it needs more output.</summary>
public enum DoseCurveKind
{
    /// <summary>Penetration first: kV rises early (75 → 90 kV) at a modest mA; least dose, least iodine contrast.</summary>
    LowDose,
    /// <summary>Vascular default: 70 kV while mA and pulse width rise, then 70 → 90 kV, then beyond.</summary>
    Normal,
    /// <summary>Iodine contrast first: 65 kV held while mA and pulse width rise to their limits, then 65 → 80 kV.</summary>
    HighContrast,
}

/// <summary>A path through technique space, parametrised by the nominal log-output
/// L = ln(mAs) + n·ln(kV), where n is the nominal kV exponent of image brightness behind a typical patient.
/// Between anchors one factor changes geometrically, so L maps to a technique one to one.</summary>
public sealed class DoseCurve
{
    /// <summary>Brightness behind ~20 cm of water grows about as kV^5 at 70 kV (kV² tube output, the rest penetration).</summary>
    public const double NominalKvExponent = 5.0;

    private readonly Technique[] _anchors;
    private readonly double[] _outputs;

    private DoseCurve(DoseCurveKind kind, Technique[] anchors)
    {
        Kind = kind;
        _anchors = anchors;
        _outputs = new double[anchors.Length];
        for (int i = 0; i < anchors.Length; i++)
        {
            _outputs[i] = Output(anchors[i]);
            if (i > 0 && _outputs[i] < _outputs[i - 1] - 1e-9)
            {
                throw new ArgumentException($"dose curve {kind} is not monotonic at anchor {i}");
            }
        }
    }

    public DoseCurveKind Kind { get; }

    public IReadOnlyList<Technique> Anchors => _anchors;

    public double MinOutput => _outputs[0];
    public double MaxOutput => _outputs[^1];

    /// <summary>The nominal log-output of any technique (on the curve or not).</summary>
    public static double Output(in Technique t) => Math.Log(Math.Max(1e-9, t.MilliampereSeconds)) + NominalKvExponent * Math.Log(t.Kv);

    /// <summary>The technique on the curve for log-output <paramref name="output"/>, clamped to the curve's ends.</summary>
    public Technique At(double output)
    {
        if (double.IsNaN(output) || output <= _outputs[0]) return _anchors[0];
        if (output >= _outputs[^1]) return _anchors[^1];
        int i = 1;
        while (_outputs[i] < output) i++;
        double span = _outputs[i] - _outputs[i - 1];
        double f = span <= 1e-12 ? 1 : (output - _outputs[i - 1]) / span;
        var a = _anchors[i - 1];
        var b = _anchors[i];
        return new Technique(Geometric(a.Kv, b.Kv, f), Geometric(a.Ma, b.Ma, f), Geometric(a.PulseWidthMs, b.PulseWidthMs, f));
    }

    private static double Geometric(double a, double b, double f) => a == b ? a : a * Math.Pow(b / a, f);

    /// <summary>Builds a curve of <paramref name="kind"/> inside the generator's capabilities for one exposure kind.
    /// Every anchor respects the kV, mA, pulse-width and power limits.</summary>
    public static DoseCurve Create(DoseCurveKind kind, GeneratorCapabilities caps, ExposureKind exposure)
    {
        double widthMax = exposure == ExposureKind.Cine ? caps.CinePulseWidthMaxMs : caps.PulseWidthMs.Max;
        double widthMin = caps.PulseWidthMs.Min;
        double maMin = caps.Ma.Min;
        double MaMax(double kv) => Math.Max(maMin, Math.Min(caps.Ma.Max, caps.MaxPowerKw * 1000 / kv));
        double Kv(double kv) => caps.Kv.Clamp(kv);
        // (kV, mA, width) anchors; mA given as the fraction of the power-limited maximum at that kV.
        (double Kv, double MaFraction, double Width)[] path = kind switch
        {
            DoseCurveKind.LowDose =>
            [
                (75, 0, widthMin), (90, 0, widthMin), (90, 0.25, widthMin), (90, 0.25, widthMax),
                (90, 1, widthMax), (caps.Kv.Max, 1, widthMax),
            ],
            DoseCurveKind.HighContrast =>
            [
                (65, 0, widthMin), (65, 1, widthMin), (65, 1, widthMax), (80, 1, widthMax), (caps.Kv.Max, 1, widthMax),
            ],
            _ =>
            [
                (70, 0, widthMin), (70, 1, widthMin), (70, 1, widthMax), (90, 1, widthMax), (caps.Kv.Max, 1, widthMax),
            ],
        };
        var anchors = new List<Technique>(path.Length);
        foreach (var (kv, fraction, width) in path)
        {
            double k = Kv(kv);
            double ma = fraction <= 0 ? maMin : Math.Max(maMin, MaMax(k) * fraction);
            var t = new Technique(k, Math.Round(ma, 1), width);
            // The power limit lowers mA as kV rises; keep the path monotonic in output by dropping anchors that fall back.
            if (anchors.Count > 0 && Output(t) <= Output(anchors[^1]) + 1e-9) continue;
            anchors.Add(t);
        }
        return new DoseCurve(kind, [.. anchors]);
    }
}
