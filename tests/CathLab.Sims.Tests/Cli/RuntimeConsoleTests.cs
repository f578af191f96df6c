using CathLab.Sims.Cli;
using CathLab.Sims.Detector;
using CathLab.Sims.Generator;
using CathLab.Testing;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Tests.Cli;

public sealed class RuntimeConsoleTests : IDisposable
{
    private readonly PtyPair _pty = new();
    private readonly RunningSimulator _simulator;
    private readonly StringWriter _output = new();
    private readonly RuntimeConsole _console;

    public RuntimeConsoleTests()
    {
        var settings = new SimulatorSettings(115200, new GeneratorSimOptions(), SerialFaultOptions.None, false,
            new SimulatedDetectorOptions { Mode = DetectorMode.Binned512 });
        _simulator = new RunningSimulator(_pty.GeneratorEnd, settings);
        _console = new RuntimeConsole(_simulator, _output);
    }

    [Fact]
    public void The_attenuator_goes_in_and_out_of_the_beam_at_run_time()
    {
        Assert.True(_console.Execute("attenuator in"));
        Assert.True(_simulator.Detector.Attenuator);
        Assert.True(_console.Execute("status"));
        Assert.Contains("ATTENUATOR IN", _output.ToString());
        Assert.True(_console.Execute("attenuator out"));
        Assert.False(_simulator.Detector.Attenuator);
        Assert.True(_console.Execute("attenuator sideways"));
        Assert.Contains("unknown command", _output.ToString());
    }

    [Fact]
    public void Faults_are_injected_and_cleared_at_run_time()
    {
        Assert.True(_console.Execute("interlock open"));
        Assert.Equal(GeneratorState.Fault, _simulator.Generator.State);
        Assert.True(_console.Execute("interlock close"));
        Assert.True(_console.Execute("silent on"));
        Assert.True(_simulator.Endpoint.Silent);
        Assert.True(_console.Execute("corrupt 0.02"));
        Assert.Equal(0.02, _simulator.Endpoint.Faults.CorruptRate);
        Assert.True(_console.Execute("drop 0.001"));
        Assert.Equal(0.001, _simulator.Endpoint.Faults.DropRate);
        Assert.True(_console.Execute("withhold 3"));
        Assert.Equal(3, _simulator.Endpoint.Faults.WithheldAnswers);
        Assert.True(_console.Execute("frames drop-every 10"));
        Assert.Equal(10, _simulator.Detector.Faults.DropEveryNth);
        Assert.True(_console.Execute("frames late-every 5 40"));
        Assert.Equal(40, _simulator.Detector.Faults.LateByMilliseconds);
        Assert.True(_console.Execute("dead-row 100"));
        Assert.Equal(100, _simulator.Detector.Faults.DeadRow);
        Assert.True(_console.Execute("dead-row off"));
        Assert.Null(_simulator.Detector.Faults.DeadRow);
        Assert.True(_console.Execute("status"));
        Assert.Contains("SILENT", _output.ToString());
        Assert.Contains("longest heartbeat gap", _output.ToString());
        Assert.False(_console.Execute("quit"));
    }

    [Theory]
    [InlineData("corrupt 2", "not a rate")]
    [InlineData("drop x", "not a rate")]
    [InlineData("frames drop-every -3", "not a whole number")]
    [InlineData("dead-row 5000", "dead line")]
    [InlineData("launch", "unknown command")]
    public void Bad_runtime_commands_are_refused_with_a_reason_and_change_nothing(string line, string reason)
    {
        var before = (_simulator.Endpoint.Faults, _simulator.Detector.Faults);
        Assert.True(_console.Execute(line));
        Assert.Contains("error:", _output.ToString());
        Assert.Contains(reason, _output.ToString());
        Assert.Equal(before, (_simulator.Endpoint.Faults, _simulator.Detector.Faults));
    }

    public void Dispose()
    {
        _simulator.Dispose();
        _pty.Dispose();
    }
}
