using CathLab.FirmwareBridge.Dose;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Time.Testing;

namespace CathLab.FirmwareBridge.Tests.Dose;

public sealed class DoseLedgerTests
{
    private static readonly Technique T = new(80, 20, 6);

    private static PulseEvent Pulse(uint id, ExposureKind kind, uint nanoGray) => new(id, id * 1000UL, kind, T, nanoGray);

    [Fact]
    public void Kerma_and_dap_sum_the_generator_reports_with_the_geometry()
    {
        var ledger = new DoseLedger { Geometry = new BeamGeometry(20, 20, 100, 60) };
        ledger.Observe(new ExposureStartedEvent(new TechniqueSetting(ExposureKind.Fluoro, T, 15)));
        for (uint i = 1; i <= 100; i++) ledger.Observe(Pulse(i, ExposureKind.Fluoro, 50_000)); // 0.05 mGy each
        ledger.Observe(new ExposureEndedEvent(ExposureEndReason.Released, 100));

        var exam = ledger.Exam;
        Assert.Equal(5.0, exam.ReferenceAirKermaMilliGray, 9);
        // 20×20 cm at 100 cm is 12×12 = 144 cm² at 60 cm; 5 mGy × 144 cm² = 0.72 Gy·cm².
        Assert.Equal(0.72, exam.DoseAreaProductGyCm2, 9);
        Assert.Equal(100, exam.FluoroPulses);
        Assert.Equal(TimeSpan.FromSeconds(100 / 15.0).TotalSeconds, exam.FluoroTime.TotalSeconds, 6);
        Assert.Single(ledger.Runs);
    }

    [Fact]
    public void Runs_are_kept_apart_and_the_exam_sums_them_and_cine_is_counted_not_timed()
    {
        var ledger = new DoseLedger();
        ledger.Observe(new ExposureStartedEvent(new TechniqueSetting(ExposureKind.Fluoro, T, 10)));
        ledger.Observe(Pulse(1, ExposureKind.Fluoro, 1000));
        ledger.Observe(new ExposureEndedEvent(ExposureEndReason.Released, 1));
        ledger.Observe(new ExposureStartedEvent(new TechniqueSetting(ExposureKind.Cine, T, 30)));
        ledger.Observe(Pulse(2, ExposureKind.Cine, 4000));
        ledger.Observe(Pulse(3, ExposureKind.Cine, 4000));
        Assert.Equal(0.008, ledger.CurrentRun.ReferenceAirKermaMilliGray, 12);
        ledger.Observe(new ExposureEndedEvent(ExposureEndReason.Released, 2));

        Assert.Equal(2, ledger.Runs.Count);
        Assert.Equal(ExposureKind.Cine, ledger.Runs[1].Kind);
        Assert.Equal(2, ledger.Runs[1].Totals.CinePulses);
        Assert.Equal(TimeSpan.Zero, ledger.Runs[1].Totals.FluoroTime);
        Assert.Equal(0.009, ledger.Exam.ReferenceAirKermaMilliGray, 12);
        Assert.Equal(2, ledger.Exam.Exposures);
        Assert.Equal(3, ledger.Exam.Pulses);

        ledger.StartExam();
        Assert.Equal(DoseTotals.Zero, ledger.Exam);
        Assert.Empty(ledger.Runs);
    }

    [Fact]
    public void Fluoro_time_alerts_every_five_minutes()
    {
        var ledger = new DoseLedger(new FakeTimeProvider()); // the clock stands still: no repeats of a latched alarm
        var alerts = new List<BridgeAlert>();
        ledger.Alert += alerts.Add;
        ledger.Observe(new ExposureStartedEvent(new TechniqueSetting(ExposureKind.Fluoro, T, 10)));
        // 11 minutes at 10 pulses/s.
        for (uint i = 1; i <= 6600; i++) ledger.Observe(Pulse(i, ExposureKind.Fluoro, 100));
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a => Assert.Equal(BridgeAlertKind.FluoroTime, a.Kind));
        Assert.Contains("5.0 min", alerts[0].Text);
        Assert.Contains("10.0 min", alerts[1].Text);
    }

    [Fact]
    public void The_fluoro_timer_alarm_sounds_until_the_operator_resets_it_and_latches_again_at_the_next_mark()
    {
        var time = new FakeTimeProvider();
        var ledger = new DoseLedger(time);
        var alerts = new List<BridgeAlert>();
        ledger.Alert += alerts.Add;
        ledger.Observe(new ExposureStartedEvent(new TechniqueSetting(ExposureKind.Fluoro, T, 10)));
        uint id = 0;
        void Fluoro(double seconds)
        {
            for (int i = 0; i < seconds * 10; i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
                ledger.Observe(Pulse(++id, ExposureKind.Fluoro, 100));
            }
        }
        Fluoro(299);
        Assert.False(ledger.FluoroAlarmActive);
        Assert.Empty(alerts);
        Fluoro(1);
        Assert.True(ledger.FluoroAlarmActive);
        Assert.Single(alerts);
        Fluoro(3); // signalled again once a second while fluoro goes on
        Assert.Equal(4, alerts.Count);
        Assert.True(ledger.ResetFluoroAlarm());
        Assert.False(ledger.FluoroAlarmActive);
        Fluoro(60);
        Assert.Equal(4, alerts.Count);
        Assert.False(ledger.ResetFluoroAlarm());
        Fluoro(237); // 10 minutes in all
        Assert.True(ledger.FluoroAlarmActive);
        Assert.Contains("10.0 min", alerts[^1].Text);
    }

    [Fact]
    public void Bad_geometry_is_refused()
    {
        var ledger = new DoseLedger();
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.Geometry = new BeamGeometry(0, 20, 100, 60));
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.Geometry = new BeamGeometry(20, 20, 100, 120));
    }

    [Fact]
    public void A_pulse_without_exposure_started_is_still_counted()
    {
        var ledger = new DoseLedger();
        ledger.Observe(Pulse(7, ExposureKind.Cine, 2000));
        Assert.Equal(1, ledger.Exam.CinePulses);
        Assert.Equal(1, ledger.Exam.Exposures);
    }
}
