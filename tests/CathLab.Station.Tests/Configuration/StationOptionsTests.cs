using CathLab.Acquisition.Sources;
using CathLab.Station.Configuration;
using CathLab.Station.Hardware;

namespace CathLab.Station.Tests.Configuration;

/// <summary>Each section checks its own values, with a message that names the key and its limits.</summary>
public sealed class StationOptionsTests
{
    private static StationOptions Valid() => new() { Generator = new GeneratorOptions { SerialPort = "/dev/ttyS0" } };

    /// <summary>Every problem of a configuration: the station's own keys and list items, then each component's section.</summary>
    internal static List<string> ProblemsOf(StationOptions options) =>
        [.. options.Problems(StationOptions.Section), .. options.Components.SelectMany(c => c.Options.Problems($"{StationOptions.Section}:{c.Key}"))];

    [Fact]
    public void A_complete_configuration_has_no_problem() => Assert.Empty(ProblemsOf(Valid()));

    public static TheoryData<string, Action<StationOptions>> BadValues => new()
    {
        { "Station:Generator:SerialPort is required", o => o.Generator.SerialPort = "" },
        { "BaudRate 12345 is not a standard rate", o => o.Generator.BaudRate = 12345 },
        { "Station:Generator:AnswerTimeoutMs 3 must be 5–2000", o => o.Generator.AnswerTimeoutMs = 3 },
        { "Station:Exposure:PedalLeaseMs 50 must be 100–2000", o => o.Exposure.PedalLeaseMs = 50 },
        { "Station:AeTitle 'THIS_AE_TITLE_IS_TOO_LONG'", o => o.AeTitle = "THIS_AE_TITLE_IS_TOO_LONG" },
        { "Station:Detector:Source '7' must be FrameLink, VideoCapture", o => o.Detector.Source = (DetectorSource)7 },
        { "Station:Detector:Port 70000", o => o.Detector.Port = 70000 },
        { "Station:Detector:Device is required", o => o.Detector.Source = DetectorSource.VideoCapture },
        { "Station:Pacs:0:Host is required", o => o.Pacs.Add(new PacsPeerOptions { AeTitle = "PACS" }) },
        { "Station:Mpps:Host is required when Station:Mpps:AeTitle is set", o => o.Mpps.AeTitle = "RIS" },
        { "Station:Tokens:0:Sha256 must be 64 hex digits", o => o.Tokens.Add(new TokenOptions { Holder = "dr", Sha256 = "abc" }) },
        { "Station:RecorderQueueFrames 200", o => o.RecorderQueueFrames = 200 },
        { "Station:Processing:TransferBands 0 must be 1–16", o => o.Processing.TransferBands = 0 },
        { "Station:ListenUrl 'ftp://x'", o => o.ListenUrl = "ftp://x" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Each_bad_value_gets_a_message_that_names_it(string expected, Action<StationOptions> spoil)
    {
        var options = Valid();
        spoil(options);
        var problems = ProblemsOf(options);
        Assert.Single(problems);
        Assert.Contains(expected, problems[0]);
    }
}
