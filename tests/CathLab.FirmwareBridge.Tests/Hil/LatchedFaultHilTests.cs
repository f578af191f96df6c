using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Link;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Sims.Generator;
using CathLab.Sims.Physics;
using CathLab.Testing;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Hil;

/// <summary>A station that starts (or restarts) while the generator holds a latched fault knows it at once: its
/// exposure controller says Fault before anyone presses a pedal, and a fault reset clears both.</summary>
[Collection("hil")]
public sealed class LatchedFaultHilTests
{
    [Fact]
    public async Task A_fault_latched_before_the_station_connected_puts_the_controller_in_fault_until_it_is_reset()
    {
        using var pty = new PtyPair();
        using var endpoint = new GeneratorSerialEndpoint(pty.GeneratorEnd, 115200, SerialFaultOptions.None);
        using var generator = new SimulatedGenerator(SimRig.LoadTolerantGenerator, new XRayPhysics(), endpoint);
        endpoint.Start(generator);
        generator.InjectFault(FaultCode.Arc);

        await using var bridge = new GeneratorBridge(new GeneratorLinkV1(
            new SerialPortConnector(pty.StationEnd, writeTimeout: SimRig.LoadTolerantWriteTimeout), SimRig.LoadTolerantTimings));
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bridge.ConnectAsync(guard.Token);

        for (int i = 0; i < 200 && bridge.Exposure.State != ExposureState.Fault; i++) await Task.Delay(25);
        Assert.Equal(ExposureState.Fault, bridge.Exposure.State);

        await bridge.Exposure.ResetFaultAsync(guard.Token);
        Assert.Equal(ExposureState.Idle, bridge.Exposure.State);
        Assert.NotEqual(GeneratorState.Fault, (await bridge.GetStatusAsync(guard.Token)).State);
    }
}
