namespace CathLab.Sims.Phantom;

/// <summary>Opacification of the vessels after an injection: a gamma variate, 0 before arrival,
/// 1 at the peak, washing out after it. Thread-safe: the injection may come from any thread.</summary>
public sealed class ContrastBolus
{
    private const long NotInjected = long.MinValue;
    private readonly double _arrivalUs;
    private readonly double _timeToPeakUs;
    private readonly double _shape;
    private long _injectedAtUs = NotInjected;

    public ContrastBolus(double arrivalSeconds, double timeToPeakSeconds, double shape)
    {
        _arrivalUs = arrivalSeconds * 1e6;
        _timeToPeakUs = timeToPeakSeconds * 1e6;
        _shape = shape;
    }

    public bool Injected => Volatile.Read(ref _injectedAtUs) != NotInjected;

    /// <summary>Starts a bolus at <paramref name="timestampMicroseconds"/> on the pulse clock.</summary>
    public void Inject(long timestampMicroseconds) => Volatile.Write(ref _injectedAtUs, timestampMicroseconds);

    public void Clear() => Volatile.Write(ref _injectedAtUs, NotInjected);

    /// <summary>Relative iodine concentration (0..1) at <paramref name="timestampMicroseconds"/>.</summary>
    public double ConcentrationAt(long timestampMicroseconds)
    {
        long injectedAt = Volatile.Read(ref _injectedAtUs);
        if (injectedAt == NotInjected)
        {
            return 0;
        }
        double sincePeakStart = (timestampMicroseconds - injectedAt - _arrivalUs) / _timeToPeakUs;
        if (sincePeakStart <= 0)
        {
            return 0;
        }
        return Math.Pow(sincePeakStart, _shape) * Math.Exp(_shape * (1 - sincePeakStart));
    }
}
