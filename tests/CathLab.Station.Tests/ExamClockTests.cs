using CathLab.Station.Control;
using CathLab.Station.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CathLab.Station.Tests;

/// <summary>The exam side reads the time from the container's clock, never from the computer's own.</summary>
public sealed class ExamClockTests
{
    private sealed class StoppedClock(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    [Fact]
    public async Task An_emergency_exam_is_named_and_dated_by_the_station_clock()
    {
        var clock = new StoppedClock(new DateTimeOffset(2031, 2, 3, 4, 5, 6, TimeSpan.Zero));
        var error = new StringWriter();
        var startup = StationStartup.Prepare(["--Station:Generator:SerialPort=/dev/null-cathlab-test"], error,
            builder => builder.Services.AddSingleton<TimeProvider>(clock));
        Assert.True(startup is not null, error.ToString());
        await using var _ = startup;
        var control = startup.Services.GetRequiredService<IStationControl>();

        var exam = await control.StartExamAsync(new ExamRequest("", ""), CancellationToken.None);

        Assert.Equal("EMERGENCY^20310203-040506", exam.PatientName);
        Assert.StartsWith("EXAM-20310203-040506-", exam.ExamId, StringComparison.Ordinal);
        var ended = await control.EndExamAsync(new ExamEnd(), CancellationToken.None);
        Assert.False(ended.Open);
        Assert.Equal(ended, control.Status.Exam);
    }
}
