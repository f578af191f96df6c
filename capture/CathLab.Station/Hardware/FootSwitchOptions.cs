using CathLab.Acquisition.Configuration;

namespace CathLab.Station.Hardware;

/// <summary>The foot-switch box (docs/firmware-bridge.md, "Hardware foot switch"), section Station:Exposure:FootSwitch.</summary>
public sealed class FootSwitchOptions : IOptionsSection
{
    public const int MinStaleMs = 40, MaxStaleMs = 1000;
    private static readonly int[] StandardRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

    /// <summary>The box's serial device (e.g. /dev/ttyUSB1); null or empty: no foot switch.</summary>
    public string? Port { get; set; }

    public int BaudRate { get; set; } = 9600;

    /// <summary>A pressed level not refreshed for this long releases the pedal (the box sends every 20 ms).</summary>
    public int StaleMs { get; set; } = 100;

    public bool Enabled => !string.IsNullOrWhiteSpace(Port);

    public IEnumerable<string> Problems(string at)
    {
        if (!Enabled) yield break;
        if (!StandardRates.Contains(BaudRate)) yield return $"{at}:BaudRate {BaudRate} is not a standard rate (1200 … 115200)";
        if (StaleMs is < MinStaleMs or > MaxStaleMs) yield return $"{at}:StaleMs {StaleMs} must be {MinStaleMs}–{MaxStaleMs}";
    }
}
