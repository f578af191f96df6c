using System.Collections.Concurrent;
using System.Diagnostics;
using CathLab.FirmwareBridge.Link;
using CathLab.FirmwareBridge.Switches;
using CathLab.Testing;
using Xunit.Abstractions;

namespace CathLab.FirmwareBridge.Tests.Hil;

/// <summary>The foot-switch box over a socat pty pair: the test plays the box (a level byte every 20 ms), the station's
/// <see cref="SerialFootSwitch"/> reads the other end (<see cref="FootSwitchBox"/>).</summary>
public sealed class FootSwitchHilTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static (SerialFootSwitch Switch, BlockingCollection<(bool Pressed, string Why)> Changes) Watch(PtyPair pty)
    {
        var changes = new BlockingCollection<(bool, string)>();
        var footSwitch = new SerialFootSwitch(new SerialPortConnector(pty.StationEnd, 9600), Window, reopenDelay: TimeSpan.FromMilliseconds(50));
        footSwitch.Changed += (pressed, why) => changes.Add((pressed, why));
        footSwitch.Start();
        return (footSwitch, changes);
    }

    private static (bool Pressed, string Why) Next(BlockingCollection<(bool Pressed, string Why)> changes)
    {
        Assert.True(changes.TryTake(out var change, Wait), "the switch reported nothing");
        return change;
    }

    [Fact]
    public void Press_hold_and_release()
    {
        using var pty = new PtyPair();
        var (footSwitch, changes) = Watch(pty);
        using var _ = footSwitch;
        using var box = new FootSwitchBox(pty.GeneratorEnd);
        box.Press();
        Assert.Equal((true, SwitchReasons.Pressed), Next(changes));
        Thread.Sleep(Window * 5); // held: the level keeps coming, nothing changes
        Assert.Empty(changes);
        Assert.True(footSwitch.IsPressed);
        box.Release();
        Assert.Equal((false, SwitchReasons.Released), Next(changes));
    }

    [Fact]
    public void A_silent_line_releases_within_the_window()
    {
        using var pty = new PtyPair();
        var (footSwitch, changes) = Watch(pty);
        using var _ = footSwitch;
        using var box = new FootSwitchBox(pty.GeneratorEnd);
        box.Press();
        Assert.Equal((true, SwitchReasons.Pressed), Next(changes));
        var clock = Stopwatch.StartNew();
        box.FallSilent();
        Assert.Equal((false, SwitchReasons.Stale), Next(changes));
        output.WriteLine($"released {clock.ElapsedMilliseconds} ms after the box fell silent (window {Window.TotalMilliseconds:0} ms)");
    }

    [Fact]
    public void A_removed_device_releases_and_the_switch_comes_back_with_it()
    {
        using var pty = new PtyPair();
        var (footSwitch, changes) = Watch(pty);
        using var _ = footSwitch;
        var box = new FootSwitchBox(pty.GeneratorEnd);
        box.Press();
        Assert.Equal((true, SwitchReasons.Pressed), Next(changes));
        pty.Pull();
        var released = Next(changes);
        Assert.False(released.Pressed);
        Assert.Contains(released.Why, new[] { SwitchReasons.DeviceLost, SwitchReasons.Stale });
        output.WriteLine($"pulled: {released.Why}");
        box.Dispose();

        pty.Restore();
        using var again = new FootSwitchBox(pty.GeneratorEnd);
        again.Press();
        Assert.Equal((true, SwitchReasons.Pressed), Next(changes));
    }
}
