namespace CathLab.Sims.Generator;

/// <summary>Anode heat in heat units: each pulse adds kV·mA·s·1.35 (constant-potential generator); the anode cools exponentially.</summary>
public sealed class TubeHeat(double capacityUnits, TimeSpan coolingTimeConstant)
{
    private const double ConstantPotentialFactor = 1.35;
    private double _units;
    private long _lastUpdateMicros;

    public double CapacityUnits { get; } = capacityUnits;

    public double Units(long nowMicros)
    {
        Cool(nowMicros);
        return _units;
    }

    public double Fraction(long nowMicros) => Units(nowMicros) / CapacityUnits;

    public static double PulseUnits(double kv, double ma, double pulseWidthMs) => kv * ma * pulseWidthMs / 1000.0 * ConstantPotentialFactor;

    public void Add(long nowMicros, double units)
    {
        Cool(nowMicros);
        _units += units;
    }

    /// <summary>Sets the heat directly, for fault injection (an over-temperature tube).</summary>
    public void Set(long nowMicros, double units)
    {
        Cool(nowMicros);
        _units = units;
    }

    private void Cool(long nowMicros)
    {
        double seconds = (nowMicros - _lastUpdateMicros) / 1e6;
        if (seconds > 0)
        {
            _units *= Math.Exp(-seconds / coolingTimeConstant.TotalSeconds);
            _lastUpdateMicros = nowMicros;
        }
    }
}
