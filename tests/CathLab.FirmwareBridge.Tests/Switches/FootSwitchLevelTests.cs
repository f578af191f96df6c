using CathLab.FirmwareBridge.Switches;
using Microsoft.Extensions.Time.Testing;

namespace CathLab.FirmwareBridge.Tests.Switches;

/// <summary>The box's level as a dead-man: pressed only while refreshed within the window.</summary>
public sealed class FootSwitchLevelTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Down_presses_up_releases_and_noise_changes_nothing()
    {
        var time = new FakeTimeProvider();
        var level = new FootSwitchLevel(Window, time);
        Assert.Equal(SwitchReasons.Pressed, level.Take("xD"u8, time.GetTimestamp()));
        Assert.Null(level.Take("D?D"u8, time.GetTimestamp()));
        Assert.True(level.IsPressed);
        Assert.Equal(SwitchReasons.Released, level.Take("U"u8, time.GetTimestamp()));
        Assert.Equal(2, level.Noise);
    }

    [Fact]
    public void A_pressed_level_not_refreshed_within_the_window_is_released()
    {
        var time = new FakeTimeProvider();
        var level = new FootSwitchLevel(Window, time);
        level.Take("D"u8, time.GetTimestamp());
        for (int i = 0; i < 20; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            Assert.Null(level.Take("D"u8, time.GetTimestamp()));
        }
        time.Advance(Window);
        Assert.Null(level.Check(time.GetTimestamp()));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(SwitchReasons.Stale, level.Take([], time.GetTimestamp()));
        Assert.False(level.IsPressed);
    }

    [Fact]
    public void A_lost_device_releases_a_pressed_level_only()
    {
        var time = new FakeTimeProvider();
        var level = new FootSwitchLevel(Window, time);
        Assert.Null(level.Lost());
        level.Take("D"u8, time.GetTimestamp());
        Assert.Equal(SwitchReasons.DeviceLost, level.Lost());
    }
}
