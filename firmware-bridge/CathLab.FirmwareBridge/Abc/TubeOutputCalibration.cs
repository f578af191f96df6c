using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Abc;

/// <summary>The tube's air kerma at the reference point per mAs as a function of kV, K/mAs = a·kV^p, fitted by least
/// squares in log space to the generator's own recent pulse reports and seeded with a conservative default so that
/// limits hold from the first pulse. <see cref="UpperBoundMilliGrayPerMas"/> is what limits use: the fit times the
/// largest ratio of observed to fitted output in the window, plus a margin; at kV far from any report it never
/// falls below the default.</summary>
public sealed class TubeOutputCalibration
{
    /// <summary>Conservative default: 0.40 mGy/mAs at 80 kV at the reference point (typical tubes give 0.1–0.2), ∝ kV².</summary>
    public static readonly (double A, double P) DefaultModel = (0.40 / (80.0 * 80.0), 2.0);

    private readonly Lock _gate = new();
    private readonly double[] _lnKv;
    private readonly double[] _lnOutput;
    private readonly double _margin;
    private readonly (double A, double P) _default;
    private int _count;
    private int _next;
    private double _a;
    private double _p;
    private double _worstRatio = 1;
    private double _kvMin = double.PositiveInfinity;
    private double _kvMax = double.NegativeInfinity;

    public TubeOutputCalibration(int window = 128, double margin = 1.03, (double A, double P)? defaultModel = null)
    {
        _lnKv = new double[window];
        _lnOutput = new double[window];
        _margin = margin;
        _default = defaultModel ?? DefaultModel;
        (_a, _p) = _default;
    }

    /// <summary>Reports in the fit window.</summary>
    public int Reports
    {
        get { lock (_gate) return _count; }
    }

    public (double A, double P) Model
    {
        get { lock (_gate) return (_a, _p); }
    }

    /// <summary>kV beyond this distance from every report falls back to at least the default model.</summary>
    public double ExtrapolationKv { get; init; } = 8;

    /// <summary>Adds one pulse report: its measured technique and its air kerma at the reference point.</summary>
    public void Observe(in Technique measured, double airKermaMilliGray)
    {
        double mas = measured.MilliampereSeconds;
        if (!(mas > 0) || !(measured.Kv > 0) || !(airKermaMilliGray > 0)) return;
        lock (_gate)
        {
            _lnKv[_next] = Math.Log(measured.Kv);
            _lnOutput[_next] = Math.Log(airKermaMilliGray / mas);
            _next = (_next + 1) % _lnKv.Length;
            if (_count < _lnKv.Length) _count++;
            Refit();
        }
    }

    public void Observe(PulseEvent pulse) => Observe(pulse.Technique, pulse.AirKermaMilliGray);

    /// <summary>Air kerma at the reference point per mAs at <paramref name="kv"/> that the tube will not exceed.</summary>
    public double UpperBoundMilliGrayPerMas(double kv)
    {
        lock (_gate)
        {
            double fitted = _count == 0 ? double.NaN : _a * Math.Pow(kv, _p) * _worstRatio * _margin;
            double fallback = _default.A * Math.Pow(kv, _default.P);
            if (_count < 4 || double.IsNaN(fitted)) return fallback;
            bool near = kv >= _kvMin - ExtrapolationKv && kv <= _kvMax + ExtrapolationKv;
            return near ? fitted : Math.Max(fitted, fallback);
        }
    }

    private void Refit()
    {
        double mx = 0, my = 0;
        double kvMin = double.PositiveInfinity, kvMax = double.NegativeInfinity;
        for (int i = 0; i < _count; i++)
        {
            mx += _lnKv[i];
            my += _lnOutput[i];
            kvMin = Math.Min(kvMin, _lnKv[i]);
            kvMax = Math.Max(kvMax, _lnKv[i]);
        }
        mx /= _count;
        my /= _count;
        double sxx = 0, sxy = 0;
        for (int i = 0; i < _count; i++)
        {
            sxx += (_lnKv[i] - mx) * (_lnKv[i] - mx);
            sxy += (_lnKv[i] - mx) * (_lnOutput[i] - my);
        }
        _kvMin = Math.Exp(kvMin);
        _kvMax = Math.Exp(kvMax);
        // With too narrow a kV spread the slope is noise: keep the default exponent and fit only the scale.
        double p = _kvMax - _kvMin >= 5 && sxx > 1e-6 ? Math.Clamp(sxy / sxx, 0.5, 4.0) : _default.P;
        double lnA = my - p * mx;
        double worst = 0;
        for (int i = 0; i < _count; i++)
        {
            worst = Math.Max(worst, _lnOutput[i] - (lnA + p * _lnKv[i]));
        }
        _p = p;
        _a = Math.Exp(lnA);
        _worstRatio = Math.Exp(worst);
    }
}
