using CathLab.FirmwareBridge.Switches;
using CathLab.FirmwareBridge.Tests.Support;

namespace CathLab.FirmwareBridge.Tests.Switches;

public sealed class SerialFootSwitchTests
{
    /// <summary>A pty or USB adapter that went away does not always fail the read: the switch must not sit forever on a
    /// silent line that is no longer the box's (a clean-clone run saw it never come back after the box was unplugged).</summary>
    [Fact]
    public void A_line_that_stays_silent_is_closed_and_opened_again()
    {
        var connector = new FakeSerialConnector { Answering = false };
        using var footSwitch = new SerialFootSwitch(connector, TimeSpan.FromMilliseconds(100), reopenDelay: TimeSpan.FromMilliseconds(10));
        footSwitch.Start();
        // A readiness bound, not a timing check: the switch reopens after one silent second.
        Assert.True(SpinWait.SpinUntil(() => connector.Attempts >= 2, TimeSpan.FromSeconds(30)), $"opened {connector.Attempts} time(s)");
        Assert.True(connector.Opened[0].Disposed || SpinWait.SpinUntil(() => connector.Opened[0].Disposed, TimeSpan.FromSeconds(10)), "the silent line was not closed");
    }
}
