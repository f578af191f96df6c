namespace CathLab.FirmwareBridge.Switches;

/// <summary>A physical held switch (a foot or hand switch) as a dead-man input: pressed only while its device keeps
/// reporting the pressed level; released when it reports released, when its level goes stale, or when the device or
/// its line is lost. The station turns its changes into the same held input as a held pedal stream
/// (<see cref="Exposure.InputSource.HardwarePedal"/>).</summary>
public interface IExposureSwitch : IDisposable
{
    string Description { get; }

    bool IsPressed { get; }

    /// <summary>Raised on every change of <see cref="IsPressed"/>, with the reason in words (<see cref="SwitchReasons"/>).
    /// Raised on the switch's own thread: handlers must not block for long.</summary>
    event Action<bool, string>? Changed;

    /// <summary>Starts watching the device (and reopening it after it was lost).</summary>
    void Start();
}

/// <summary>Why a switch changed.</summary>
public static class SwitchReasons
{
    public const string Pressed = "pressed";
    public const string Released = "released";
    public const string Stale = "level stale";
    public const string DeviceLost = "device lost";
    public const string Stopped = "switch stopped";
}
