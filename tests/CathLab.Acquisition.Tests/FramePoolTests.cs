using CathLab.Acquisition.Distribution;
using CathLab.Acquisition.Frames;

namespace CathLab.Acquisition.Tests;

public sealed class FramePoolTests
{
    private static FrameInfo Info(long sequence) => new(sequence, 1, 0, 4, 4, 12, default, null, 0, false);

    [Fact]
    public void A_frame_returns_to_the_pool_after_its_last_release()
    {
        var pool = new FramePool(2, 16);
        Assert.True(pool.TryRent(out var frame));
        frame.Retain();
        frame.Release();
        Assert.Equal(1, pool.Available);
        frame.Release();
        Assert.Equal(2, pool.Available);
        Assert.Throws<InvalidOperationException>(frame.Release);
    }

    [Fact]
    public void An_empty_pool_says_so_instead_of_waiting_or_allocating()
    {
        var pool = new FramePool(2, 16);
        Assert.True(pool.TryRent(out _));
        Assert.True(pool.TryRent(out _));
        Assert.False(pool.TryRent(out _));
        Assert.Equal(1, pool.Exhausted);
    }

    [Fact]
    public void A_slow_consumer_loses_frames_and_the_others_do_not_notice()
    {
        var pool = new FramePool(8, 16);
        var fanout = new FrameFanout();
        var recorder = fanout.Subscribe("recorder", 100, ConsumerPolicy.MustNotLose);
        var viewer = fanout.Subscribe("slow viewer", 2, ConsumerPolicy.DropAndCount);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(pool.TryRent(out var frame));
            frame.Info = Info(i);
            fanout.Publish(frame);
            Assert.True(recorder.Reader.TryRead(out var recorded));
            Assert.Equal(i, recorded.Info.Sequence);
            recorded.Release();
        }
        Assert.Equal(5, recorder.Delivered);
        Assert.False(recorder.HasLostFrames);
        Assert.Equal(2, viewer.Delivered);
        Assert.Equal(3, viewer.Dropped);
        Assert.Equal(6, pool.Available);
        fanout.Unsubscribe(viewer);
        Assert.Equal(8, pool.Available);
    }

    [Fact]
    public void A_recorder_that_falls_behind_is_marked_as_having_lost_frames()
    {
        var pool = new FramePool(4, 16);
        var fanout = new FrameFanout();
        var recorder = fanout.Subscribe("recorder", 1, ConsumerPolicy.MustNotLose);
        for (int i = 0; i < 2; i++)
        {
            Assert.True(pool.TryRent(out var frame));
            frame.Info = Info(i);
            fanout.Publish(frame);
        }
        Assert.True(recorder.HasLostFrames);
    }

    [Fact]
    public void Publishing_in_steady_state_allocates_nothing()
    {
        var pool = new FramePool(4, 1024);
        var fanout = new FrameFanout();
        var a = fanout.Subscribe("a", 2, ConsumerPolicy.MustNotLose);
        var b = fanout.Subscribe("b", 2, ConsumerPolicy.DropAndCount);
        void Cycle()
        {
            pool.TryRent(out var frame);
            frame.Info = Info(1);
            fanout.Publish(frame);
            a.Reader.TryRead(out var x);
            x!.Release();
            b.Reader.TryRead(out var y);
            y!.Release();
        }
        for (int i = 0; i < 100; i++) Cycle();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) Cycle();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
