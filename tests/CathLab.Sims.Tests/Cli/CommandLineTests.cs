namespace CathLab.Sims.Tests.Cli;

public sealed class CommandLineTests
{
    [Fact]
    public void Help_explains_every_option()
    {
        var (code, output, _) = CathlabSimProcess.Run("--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--serial", "--baud", "--heartbeat-ms", "--corrupt-rate", "--drop-rate", "--silent", "--frame-port", "--mode", "--bits", "--preset", "--thickness", "--heart-rate", "--lead", "--frame-drop-every", "--frame-late-every", "--dead-row", "--seed", "interlock open", "inject" })
        {
            Assert.Contains(option, output);
        }
    }

    [Theory]
    [InlineData("unknown option: --thicknes", "demo", "--thicknes", "30")]
    [InlineData("--thickness: 50 is outside 15..35", "demo", "--thickness", "50")]
    [InlineData("--corrupt-rate: 'lots' is not a number", "demo", "--corrupt-rate", "lots")]
    [InlineData("--serial is required", "serve")]
    [InlineData("--preset: 'brain'", "demo", "--preset", "brain")]
    [InlineData("--mode: the detector reads 1024 or 512", "demo", "--mode", "700")]
    [InlineData("unknown command 'fly'", "fly")]
    [InlineData("--bits needs a value", "demo", "--bits")]
    [InlineData("cannot open serial port /nonexistent/tty", "serve", "--serial", "/nonexistent/tty")]
    public void Bad_options_get_a_clear_error_and_nothing_starts(string message, params string[] args)
    {
        var (code, output, error) = CathlabSimProcess.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.DoesNotContain("ready", output);
    }

    [Fact]
    public void Demo_runs_the_simulators_on_a_pty_pair_and_the_frame_link_and_loses_no_frame()
    {
        var (code, output, error) = CathlabSimProcess.Run("demo", "--fluoro-seconds", "0.6", "--cine-seconds", "0.6", "--mode", "512", "--heartbeat-ms", "2000");
        Assert.True(code == 0, output + error);
        Assert.Contains("exercise: OK", output);
        Assert.Contains("0 missing", output);
        Assert.Contains("SetTechnique refused", output);
    }
}
