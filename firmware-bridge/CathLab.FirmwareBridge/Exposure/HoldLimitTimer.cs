using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>The maximum hold of one exposure: armed when it begins, it posts an emergency stop tagged with that
/// exposure's number, so a timer that fires after its exposure ended is told apart and dropped. Used only on the
/// controller's thread.</summary>
internal sealed class HoldLimitTimer(TimeProvider time, ExposureControlOptions options, Action<ExposureInput, long> post) : IDisposable
{
    private ITimer? _timer;

    /// <summary>The exposure the last <see cref="Arm"/> began.</summary>
    public long Exposure { get; private set; }

    public void Arm(ExposureKind? kind)
    {
        Disarm();
        long number = ++Exposure;
        if (options.MaxHold(kind) is not { } limit) return;
        _timer = time.CreateTimer(_ => post(new(ExposureTrigger.EmergencyStop, InputSource.Station,
            Detail: $"maximum hold of {limit.TotalSeconds:0.#} s reached: release and press again to go on"), number),
            null, limit, Timeout.InfiniteTimeSpan);
    }

    public void Disarm()
    {
        _timer?.Dispose();
        _timer = null;
    }

    public void Dispose() => Disarm();
}
