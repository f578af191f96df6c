using CathLab.Acquisition.Recording;
using CathLab.Wire.Generator;

namespace CathLab.Acquisition.Tests.Recording;

public sealed class PulseReportBookTests
{
    private static void Add(PulseReportBook book, uint id) => book.Add(id, id * 1000UL, ExposureKind.Cine, new Technique(80, 400, 6.5), id);

    [Fact]
    public void A_report_is_found_by_its_pulse_id_with_what_the_generator_measured()
    {
        var book = new PulseReportBook();
        book.Observe(new PulseEvent(7, 123_456, ExposureKind.Cine, new Technique(81.5, 420, 6.4), 2500));
        book.Observe(new HeatEvent(40, 1000));
        Assert.True(book.TryFind(7, out var report));
        Assert.Equal(new Technique(81.5, 420, 6.4), report.Technique);
        Assert.Equal(123_456UL, report.TimestampMicroseconds);
        Assert.Equal(2500u, report.AirKermaNanoGray);
        Assert.Equal(1, book.Received);
        Assert.False(book.TryFind(8, out _));
    }

    [Fact]
    public async Task A_frame_waits_for_a_report_that_comes_after_it()
    {
        var book = new PulseReportBook();
        Add(book, 1);
        var waiting = Task.Run(() => (book.WaitFor(2, TimeSpan.FromMinutes(1), out var report, out var missing), report, missing));
        await Task.Delay(50);
        Add(book, 2);
        var (found, report, missing) = await waiting;
        Assert.True(found, missing);
        Assert.Equal(2u, report.PulseId);
    }

    [Fact]
    public void A_report_that_does_not_come_in_time_is_missing_with_a_reason()
    {
        var book = new PulseReportBook();
        Add(book, 1);
        Assert.False(book.WaitFor(2, TimeSpan.Zero, out _, out var missing));
        Assert.Contains("did not report pulse 2", missing);
    }

    [Fact]
    public void A_pulse_skipped_by_later_reports_is_missing_at_once()
    {
        var book = new PulseReportBook();
        Add(book, 5);
        Add(book, 7);
        Assert.False(book.WaitFor(6, TimeSpan.FromMinutes(1), out _, out var missing));
        Assert.Contains("never pulse 6", missing);
    }

    [Fact]
    public void A_report_older_than_the_ring_has_left_the_book()
    {
        var book = new PulseReportBook(capacity: 16);
        for (uint id = 1; id <= 40; id++) Add(book, id);
        Assert.False(book.WaitFor(3, TimeSpan.FromMinutes(1), out _, out var missing));
        Assert.Contains("left the book", missing);
        Assert.True(book.TryFind(25, out _));
        Assert.False(book.TryFind(24, out _));
        Assert.Equal(40, book.Received);
    }

    [Fact]
    public void A_generator_that_restarts_its_pulse_count_voids_the_old_reports()
    {
        var book = new PulseReportBook();
        for (uint id = 100; id <= 110; id++) Add(book, id);
        Add(book, 1);
        Assert.True(book.TryFind(1, out _));
        Assert.False(book.TryFind(105, out _));
        Assert.False(book.WaitFor(2, TimeSpan.Zero, out _, out _));
    }

    [Fact]
    public void Pulse_ids_that_wrap_around_stay_in_order()
    {
        var book = new PulseReportBook();
        Add(book, uint.MaxValue - 1);
        Add(book, uint.MaxValue);
        Add(book, 0);
        Add(book, 1);
        Assert.True(book.TryFind(uint.MaxValue, out _));
        Assert.True(book.TryFind(1, out _));
    }

    [Fact]
    public void Recording_and_finding_reports_allocates_nothing()
    {
        var book = new PulseReportBook();
        for (uint id = 1; id <= 2000; id++) Add(book, id);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (uint id = 2001; id <= 12_000; id++)
        {
            Add(book, id);
            if (!book.TryFind(id - 10, out _) || !book.WaitFor(id, TimeSpan.Zero, out _, out _)) Assert.Fail($"pulse {id} not found");
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_capacity_below_16_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PulseReportBook(capacity: 4));
    }
}
