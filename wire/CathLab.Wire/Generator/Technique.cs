namespace CathLab.Wire.Generator;

/// <summary>An X-ray technique: tube voltage, tube current and pulse width.</summary>
/// <remarks>On the wire each value is an unsigned 16-bit fixed-point number: kV in 0.1 kV,
/// mA in 0.1 mA, pulse width in 0.01 ms (docs/generator-protocol.md).</remarks>
public readonly record struct Technique(double Kv, double Ma, double PulseWidthMs)
{
    public double MilliampereSeconds => Ma * PulseWidthMs / 1000.0;

    public override string ToString() => $"{Kv:0.0} kV {Ma:0.0} mA {PulseWidthMs:0.00} ms";
}
