using CathLab.Acquisition.Recording;
using CathLab.Station.Exam;

namespace CathLab.Station.Tests;

public sealed class RunLengthLimitTests
{
    [Fact]
    public void An_uncompressed_60_fps_run_is_ended_before_its_2047th_frame_with_room_for_what_is_in_flight()
    {
        var limit = RunLengthLimit.For(new RecordingCapacity(2047, "the 4 GiB limit"), 60)!;
        // 2047 frames less half a second at 60 fps and two more: the last frames after the release still fit.
        Assert.Equal((2047 - 32) / 60.0, limit.Duration.TotalSeconds, 6);
        Assert.True(limit.Duration.TotalSeconds * 60 + 30 + 2 <= 2047);
        Assert.Contains("4 GiB", limit.Describe(3));
        Assert.Contains("run 3", limit.Describe(3));
    }

    [Fact]
    public void A_capacity_below_one_second_refuses_the_run_and_a_huge_one_is_capped_at_a_day()
    {
        Assert.Null(RunLengthLimit.For(new RecordingCapacity(20, "the spool's free space"), 15));
        Assert.Null(RunLengthLimit.For(new RecordingCapacity(0, "the spool's free space"), 7.5));
        Assert.Equal(TimeSpan.FromDays(1), RunLengthLimit.For(new RecordingCapacity(long.MaxValue / 4, "the spool's free space"), 30)!.Duration);
        Assert.Throws<ArgumentOutOfRangeException>(() => RunLengthLimit.For(new RecordingCapacity(100, "x"), 0));
    }
}
