using CathLab.Acquisition.Configuration;

namespace CathLab.Station.Hardware;

/// <summary>The X-ray generator's serial link (section Station:Generator).</summary>
public sealed class GeneratorOptions : IOptionsSection
{
    public const string Section = "Generator";
    public static readonly int[] StandardBaudRates = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];
    public const int MinAnswerTimeoutMs = 5, MaxAnswerTimeoutMs = 2000;
    public const int MinRetries = 1, MaxRetriesLimit = 20;

    /// <summary>The serial device of the X-ray generator (e.g. /dev/ttyS0, /dev/ttyUSB0, a pty).</summary>
    public string SerialPort { get; set; } = "";
    public int BaudRate { get; set; } = 115200;

    /// <summary>How long the station waits for the generator's answer before sending a command again.</summary>
    public int AnswerTimeoutMs { get; set; } = 40;

    /// <summary>How often a command is sent again before the link is declared down (and emission stops).</summary>
    public int MaxRetries { get; set; } = 5;

    public IEnumerable<string> Problems(string at)
    {
        if (string.IsNullOrWhiteSpace(SerialPort)) yield return $"{at}:SerialPort is required (e.g. /dev/ttyS0, or a socat pty for the simulator)";
        if (!StandardBaudRates.Contains(BaudRate)) yield return $"{at}:BaudRate {BaudRate} is not a standard rate ({StandardBaudRates[0]} … {StandardBaudRates[^1]})";
        if (AnswerTimeoutMs is < MinAnswerTimeoutMs or > MaxAnswerTimeoutMs) yield return $"{at}:AnswerTimeoutMs {AnswerTimeoutMs} must be {MinAnswerTimeoutMs}–{MaxAnswerTimeoutMs}";
        if (MaxRetries is < MinRetries or > MaxRetriesLimit) yield return $"{at}:MaxRetries {MaxRetries} must be {MinRetries}–{MaxRetriesLimit}";
    }
}
