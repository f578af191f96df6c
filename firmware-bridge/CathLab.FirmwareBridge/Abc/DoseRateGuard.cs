using CathLab.FirmwareBridge.Exposure;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Abc;

/// <summary>The dose-rate limiter's input to exposure control: when the limit cannot be held by technique (even the
/// minimum technique is predicted over it) or the generator's own pulse reports show a rate over it beyond
/// <see cref="Tolerance"/>, it feeds <see cref="ExposureTrigger.DoseRateExceeded"/> from
/// <see cref="InputSource.DoseLimiter"/>, which stops emission. Once per exposure; thread-safe (frames and pulse
/// reports arrive on different threads).</summary>
public sealed class DoseRateGuard(ExposureController exposure)
{
    /// <summary>How far over the limit a reported pulse may be before emission stops: the generator's dosimeter
    /// spread.</summary>
    public double Tolerance { get; init; } = 0.10;

    private double _pulseRate = double.NaN;
    private int _stopped;

    /// <summary>Stops emission when the limited technique is still over the limit; true when it did.</summary>
    public bool Check(in LimitedTechnique applied)
    {
        if (!applied.OverLimit) return false;
        return Stop($"{applied.PredictedRateMilliGrayPerMin:0.0} mGy/min predicted at {applied.Technique}, the lowest technique the limits allow, is over the limit of {applied.RateLimitMilliGrayPerMin:0} mGy/min");
    }

    /// <summary>Each generator event: ExposureStarted gives the pulse rate, each pulse report its air kerma.</summary>
    public void Observe(GeneratorEvent e)
    {
        switch (e)
        {
            case ExposureStartedEvent started:
                Volatile.Write(ref _pulseRate, started.Setting.PulseRate);
                Volatile.Write(ref _stopped, 0);
                break;
            case PulseEvent pulse:
                double limit = DoseRateLimiter.RateLimitFor(pulse.Kind);
                double rate = pulse.AirKermaMilliGray * Volatile.Read(ref _pulseRate) * 60.0;
                if (rate > limit * (1 + Tolerance))
                    Stop($"pulse {pulse.PulseId} reported {rate:0.0} mGy/min, over the limit of {limit:0} mGy/min beyond the {Tolerance:P0} tolerance");
                break;
        }
    }

    private bool Stop(string why)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return true;
        exposure.DoseRateExceeded(why);
        return true;
    }
}
