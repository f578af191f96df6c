using CathLab.Acquisition.Fluoro;
using CathLab.Acquisition.Frames;

namespace CathLab.Acquisition.Tests;

public sealed class FluoroLoopStoreTests
{
    private const int Pixels = 64;

    // 1 s at 5 fps: five frames.
    private readonly FluoroLoopStore _store = new(new FluoroLoopOptions { Duration = TimeSpan.FromSeconds(1), MaxFrameRate = 5, MaxPixels = Pixels });

    private static FrameInfo Info(long sequence) => new(sequence, (uint)sequence, sequence * 200_000, 8, 8, 12, default, null, 0, false);

    private void Add(long sequence)
    {
        var pixels = new ushort[Pixels];
        pixels.AsSpan().Fill((ushort)(100 + sequence));
        Assert.True(_store.Add(Info(sequence), pixels));
    }

    [Fact]
    public void The_ring_keeps_the_last_frames_oldest_first_after_it_wraps()
    {
        Assert.Equal(5, _store.Capacity);
        for (int i = 0; i < 8; i++) Add(i);
        Assert.Equal(5, _store.Count);
        var saved = new List<(long Sequence, ushort First, ushort Last)>();
        int visited = _store.Save(TimeSpan.FromSeconds(10), (in FrameInfo info, ReadOnlySpan<ushort> pixels) => saved.Add((info.Sequence, pixels[0], pixels[^1])));
        Assert.Equal(5, visited);
        Assert.Equal([(3L, (ushort)103, (ushort)103), (4, 104, 104), (5, 105, 105), (6, 106, 106), (7, 107, 107)], saved);
    }

    [Fact]
    public void Saving_the_last_seconds_takes_the_frames_within_that_time_of_the_newest()
    {
        for (int i = 0; i < 8; i++) Add(i); // 200 ms apart; newest at 1.4 s
        var last = _store.Last(TimeSpan.FromMilliseconds(500)).Select(f => f.Info.Sequence).ToList();
        Assert.Equal([5L, 6, 7], last);
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Last(TimeSpan.Zero));
    }

    [Fact]
    public void Clearing_forgets_the_previous_run()
    {
        for (int i = 0; i < 3; i++) Add(i);
        _store.Clear();
        Assert.Equal(0, _store.Count);
        Assert.Empty(_store.Last(TimeSpan.FromSeconds(1)));
        Add(10);
        Assert.Equal([10L], _store.Last(TimeSpan.FromSeconds(1)).Select(f => f.Info.Sequence));
    }

    [Fact]
    public void While_a_save_reads_the_ring_new_frames_are_skipped_and_counted()
    {
        for (int i = 0; i < 3; i++) Add(i);
        using (var reading = _store.Last(TimeSpan.FromSeconds(1)).GetEnumerator())
        {
            Assert.True(reading.MoveNext());
            Assert.False(_store.Add(Info(99), new ushort[Pixels]));
            _store.Clear(); // a new fluoro run: the clear waits for the save to end
            Assert.Equal(3, _store.Count);
            Assert.True(reading.MoveNext());
            Assert.Equal(1, reading.Current.Info.Sequence);
        }
        Assert.Equal(1, _store.Skipped);
        Add(20);
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public void A_frame_larger_than_the_buffers_is_skipped_and_bad_options_are_refused()
    {
        Assert.False(_store.Add(Info(0), new ushort[Pixels + 1]));
        Assert.Equal(1, _store.Skipped);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FluoroLoopStore(new FluoroLoopOptions { MaxFrameRate = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FluoroLoopStore(new FluoroLoopOptions { Duration = TimeSpan.Zero }));
    }
}
