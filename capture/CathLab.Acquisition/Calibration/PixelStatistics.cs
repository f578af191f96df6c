namespace CathLab.Acquisition.Calibration;

/// <summary>Per-pixel sum and sum of squares over frames of one size: the mean and variance of every pixel.</summary>
public sealed class PixelStatistics
{
    private readonly double[] _sum;
    private readonly double[] _squares;

    public PixelStatistics(int pixels)
    {
        _sum = new double[pixels];
        _squares = new double[pixels];
    }

    public int Frames { get; private set; }

    public int Pixels => _sum.Length;

    public void Add(ReadOnlySpan<ushort> frame)
    {
        if (frame.Length != _sum.Length) throw new ArgumentException($"a frame of {frame.Length} pixels does not fit statistics of {_sum.Length}", nameof(frame));
        for (int i = 0; i < frame.Length; i++)
        {
            double v = frame[i];
            _sum[i] += v;
            _squares[i] += v * v;
        }
        Frames++;
    }

    public double Mean(int i) => _sum[i] / Frames;

    /// <summary>Unbiased variance of pixel <paramref name="i"/>; 0 with fewer than two frames.</summary>
    public double Variance(int i)
    {
        if (Frames < 2) return 0;
        double mean = _sum[i] / Frames;
        return Math.Max(0, (_squares[i] - Frames * mean * mean) / (Frames - 1));
    }

    /// <summary>The mean frame, rounded to LSB.</summary>
    public ushort[] MeanFrame()
    {
        var frame = new ushort[_sum.Length];
        for (int i = 0; i < frame.Length; i++) frame[i] = (ushort)Math.Clamp(Math.Round(_sum[i] / Frames), 0, ushort.MaxValue);
        return frame;
    }
}
