namespace CathLab.Sims.Detector;

/// <summary>Detector-side faults. Counters start when the faults are set.</summary>
/// <param name="DropEveryNth">Every Nth exposed frame is read but never sent (0: none); the receiver sees a sequence gap.</param>
/// <param name="LateEveryNth">Every Nth exposed frame is held back by <paramref name="LateByMilliseconds"/> before it is sent (0: none).</param>
/// <param name="LateByMilliseconds">How long a late frame is held.</param>
/// <param name="DeadRow">A row of the readout that reads 0 in every frame (null: none).</param>
/// <param name="DeadColumn">A column of the readout that reads 0 in every frame (null: none).</param>
public sealed record DetectorFaultOptions(
    int DropEveryNth = 0,
    int LateEveryNth = 0,
    int LateByMilliseconds = 0,
    int? DeadRow = null,
    int? DeadColumn = null)
{
    public static DetectorFaultOptions None { get; } = new();

    public void Validate()
    {
        if (DropEveryNth < 0 || LateEveryNth < 0 || LateByMilliseconds is < 0 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(DropEveryNth), this, "fault counts and delays must be non-negative (delay ≤ 10 s)");
        }
        if (DeadRow is < 0 or >= 1024 || DeadColumn is < 0 or >= 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(DeadRow), this, "dead line index must be within the readout");
        }
    }
}
