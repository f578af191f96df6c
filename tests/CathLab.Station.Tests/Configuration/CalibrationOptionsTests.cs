using CathLab.Acquisition.Calibration;
using CathLab.Station.Configuration;

namespace CathLab.Station.Tests.Configuration;

public sealed class CalibrationOptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.Empty(new CalibrationOptions().Problems("Station:Calibration"));
    }

    [Fact]
    public void Bad_calibration_values_are_named_before_the_start()
    {
        var options = new StationOptions { Generator = { SerialPort = "/dev/ttyS0" } };
        options.Calibration.DarkFrames = 65;
        options.Calibration.HeldOutFloodFrames = 15;
        options.Calibration.ResponseTolerance = 1.5;
        options.Calibration.IntervalDays = 0;
        var problems = StationOptionsTests.ProblemsOf(options);
        Assert.Contains(problems, p => p.StartsWith("Station:Calibration:DarkFrames 65", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Station:Calibration:HeldOutFloodFrames 15", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Station:Calibration:ResponseTolerance 1.5", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Station:Calibration:IntervalDays 0", StringComparison.Ordinal));
    }
}
