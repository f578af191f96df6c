using CathLab.Capture.Configuration;

namespace CathLab.Capture.Tests;

public sealed class StationOptionsTests
{
    private static StationOptions Valid() => new() { Generator = new GeneratorOptions { SerialPort = "/dev/ttyS0" } };

    [Fact]
    public void A_complete_configuration_has_no_problem() => Assert.Empty(StationOptionsValidator.Problems(Valid()));

    public static TheoryData<string, Action<StationOptions>> BadValues => new()
    {
        { "Station:Generator:SerialPort is required", o => o.Generator.SerialPort = "" },
        { "BaudRate 12345 is not a standard rate", o => o.Generator.BaudRate = 12345 },
        { "Station:AeTitle 'THIS_AE_TITLE_IS_TOO_LONG'", o => o.AeTitle = "THIS_AE_TITLE_IS_TOO_LONG" },
        { "Station:Detector:Source 'Camera'", o => o.Detector.Source = "Camera" },
        { "Station:Detector:Port 70000", o => o.Detector.Port = 70000 },
        { "Station:Detector:Device is required", o => o.Detector.Source = "VideoCapture" },
        { "Station:Pacs:0:Host is required", o => o.Pacs.Add(new PacsPeerOptions { AeTitle = "PACS" }) },
        { "Station:Tokens:0:Sha256 must be 64 hex digits", o => o.Tokens.Add(new TokenOptions { Holder = "dr", Sha256 = "abc" }) },
        { "Station:Tokens:0:Role 'admin'", o => o.Tokens.Add(new TokenOptions { Holder = "dr", Sha256 = new string('a', 64), Role = "admin" }) },
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
        var problems = StationOptionsValidator.Problems(options);
        Assert.Single(problems);
        Assert.Contains(expected, problems[0]);
    }
}
