namespace CathLab.Acquisition.Tests.Calibration;

/// <summary>A small synthetic detector for the calibration's unit tests: offset 100 LSB, a smooth 10 % gain slope across
/// the columns, ±2 % pixel gain pattern, a hot pixel, a dead column and a row at 40 % gain; Gaussian noise from a seed.</summary>
internal sealed class SyntheticDetector(int side, int seed = 7)
{
    private readonly Random _random = new(seed);

    public int Side { get; } = side;
    public int HotX => 5;
    public int HotY => 9;
    public int DeadColumn => Side / 2 + 3;
    public int WeakRow => Side / 3;

    public double Gain(int x, int y)
    {
        if (x == DeadColumn) return 0;
        double pattern = 1 + 0.02 * Math.Sin(x * 1.7 + y * 0.9);
        double slope = 0.95 + 0.1 * x / Side;
        return pattern * slope * (y == WeakRow ? 0.4 : 1);
    }

    public ushort[] Dark() => Frame(0);

    public ushort[] Flood(double signal = 3000) => Frame(signal);

    private ushort[] Frame(double signal)
    {
        var frame = new ushort[Side * Side];
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                double offset = x == HotX && y == HotY ? 4000 : 100;
                double mean = offset + signal * Gain(x, y);
                double noise = Math.Sqrt(4 + signal * Gain(x, y) * 0.01) * Normal();
                frame[y * Side + x] = (ushort)Math.Clamp(Math.Round(mean + noise), 0, 16383);
            }
        }
        return frame;
    }

    private double Normal() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
}
