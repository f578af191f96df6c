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

    /// <summary>One cable, the switch watching the station's end, the box on the other end with its pedal down.</summary>
    private sealed class PressedRig : IDisposable
    {
        public PressedRig()
        {
            (Switch, Changes) = Watch(Pty);
            Box = new FootSwitchBox(Pty.GeneratorEnd);
            Box.Press();
            Assert.Equal((true, SwitchReasons.Pressed), Next(Changes));
        }

        public PtyPair Pty { get; } = new();
        public SerialFootSwitch Switch { get; }
        public BlockingCollection<(bool Pressed, string Why)> Changes { get; }
        public FootSwitchBox Box { get; set; }

        public void Dispose()
        {
            Box.Dispose();
            Switch.Dispose();
            Pty.Dispose();
        }
    }

    [Fact]
    public void Press_hold_and_release()
    {
        using var rig = new PressedRig();
        Thread.Sleep(Window * 5); // held: the level keeps coming, nothing changes
        Assert.Empty(rig.Changes);
        Assert.True(rig.Switch.IsPressed);
        rig.Box.Release();
        Assert.Equal((false, SwitchReasons.Released), Next(rig.Changes));
    }

    [Fact]
    public void A_silent_line_releases_within_the_window()
    {
        using var rig = new PressedRig();
        var clock = Stopwatch.StartNew();
        rig.Box.FallSilent();
        Assert.Equal((false, SwitchReasons.Stale), Next(rig.Changes));
        output.WriteLine($"released {clock.ElapsedMilliseconds} ms after the box fell silent (window {Window.TotalMilliseconds:0} ms)");
    }

    [Fact]
    public void A_removed_device_releases_and_the_switch_comes_back_with_it()
    {
        using var rig = new PressedRig();
        rig.Pty.Pull();
        var released = Next(rig.Changes);
        Assert.False(released.Pressed);
        Assert.Contains(released.Why, new[] { SwitchReasons.DeviceLost, SwitchReasons.Stale });
        output.WriteLine($"pulled: {released.Why}");
        rig.Box.Dispose();

        rig.Pty.Restore();
        rig.Box = new FootSwitchBox(rig.Pty.GeneratorEnd);
        rig.Box.Press();
        Assert.Equal((true, SwitchReasons.Pressed), Next(rig.Changes));
    }
}
