namespace CathLab.FirmwareBridge.Switches;

/// <summary>The foot-switch box's level as the station believes it, from the box's bytes and the time they came
/// (docs/firmware-bridge.md, "Hardware foot switch"): <c>D</c> down, <c>U</c> up, each sent at a fixed interval;
/// any other byte is noise. A pressed level not refreshed within <see cref="StaleAfter"/> counts as released. Pure:
/// the caller supplies the timestamps.</summary>
public sealed class FootSwitchLevel(TimeSpan staleAfter, TimeProvider time)
{
    public const byte Down = (byte)'D';
    public const byte Up = (byte)'U';

    private long _lastDown;

    public TimeSpan StaleAfter { get; } = staleAfter;

    public bool IsPressed { get; private set; }

    /// <summary>Bytes that were neither level.</summary>
    public long Noise { get; private set; }

    /// <summary>Takes what arrived at <paramref name="now"/>; returns the change it made, if any.</summary>
    public string? Take(ReadOnlySpan<byte> bytes, long now)
    {
        string? change = null;
        foreach (byte b in bytes)
        {
            switch (b)
            {
                case Down:
                    _lastDown = now;
                    if (!IsPressed)
                    {
                        IsPressed = true;
                        change = SwitchReasons.Pressed;
                    }
                    break;
                case Up:
                    if (IsPressed)
                    {
                        IsPressed = false;
                        change = SwitchReasons.Released;
                    }
                    break;
                default:
                    Noise++;
                    break;
            }
        }
        return change ?? Check(now);
    }

    /// <summary>Releases a pressed level that was not refreshed in time.</summary>
    public string? Check(long now)
    {
        if (!IsPressed || time.GetElapsedTime(_lastDown, now) <= StaleAfter) return null;
        IsPressed = false;
        return SwitchReasons.Stale;
    }

    /// <summary>The device or its line is gone: whatever it said last no longer holds.</summary>
    public string? Lost()
    {
        if (!IsPressed) return null;
        IsPressed = false;
        return SwitchReasons.DeviceLost;
    }
}
