using CathLab.Contracts.Client;
using CathLab.LiveFeed.Protocol;
using CathLab.Security.Access;
using CathLab.Station.Control;
using CathLab.Testing;

namespace CathLab.Station.Tests.Hil;

/// <summary>The live feed as the station hosts it: an observer with its own token watches the exam's processed frames
/// and events over gRPC while the technician runs fluoro and cine.</summary>
[Collection(HilCollection.Name)]
public sealed class StationLiveFeedHilTests
{
    private const string ObserverToken = "observer-token-for-the-hil-test";

    [Fact]
    public async Task An_observer_sees_the_processed_frames_the_run_technique_and_dose_events_and_the_exams_end()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StationUnderTest.StartAsync(sim,
            "--Station:Tokens:0:Holder=dr-remote", "--Station:Tokens:0:Role=observer", $"--Station:Tokens:0:Sha256={TokenStore.Sha256Hex(ObserverToken)}");
        var exam = await station.Control.StartExamAsync(new ExamRequest("DOE^JANE", "HIL-0005"), CancellationToken.None);

        using var channel = LiveFeedObserver.CreateChannel(new Uri($"http://127.0.0.1:{station.GrpcPort}"));
        var observer = new LiveFeedObserver(channel, ObserverToken);
        var events = new List<ExamEvent>();
        int frames = 0, held = 0;
        var firstFrame = new TaskCompletionSource();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var watching = observer.RunAsync(new WatchRequest { ExamId = exam.ExamId, BestTier = Tier.Diagnostic }, frame =>
        {
            Interlocked.Increment(ref frame.LastImageHold ? ref held : ref frames);
            firstFrame.TrySetResult();
        }, e => { lock (events) events.Add(e); }, stop.Token);

        await Task.Delay(500);
        var run = await station.ExposeAsync("cardiac-fluoro-15", TimeSpan.FromSeconds(2));
        await firstFrame.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(500);
        await station.Control.EndExamAsync(new ExamEnd(), CancellationToken.None);
        await watching; // the exam's end ends the stream, status OK

        Assert.InRange(frames, 1, run.Frames);
        Assert.Equal(1, held); // the last-image hold, marked, and not among the frames
        lock (events)
        {
            Assert.Contains(events, e => e.RunStarted is not null);
            Assert.Contains(events, e => e.RunEnded is not null && e.RunEnded.Frames == (uint)run.Frames);
            var technique = events.Last(e => e.Technique is not null).Technique;
            Assert.InRange(technique.Kv, 40, 125);
            Assert.True(technique.Ma > 0 && technique.PulseWidthMs > 0);
            Assert.Equal(15f, technique.PulseRate);
            var dose = events.Last(e => e.Dose is not null).Dose;
            Assert.True(dose.ReferenceAirKermaMgy > 0 && dose.DoseAreaProductGycm2 > 0 && dose.FluoroTimeS > 0);
            Assert.Equal(station.Control.Status.ReferenceAirKermaMilliGray, dose.ReferenceAirKermaMgy, 3);
            Assert.Equal(ExamEvent.KindOneofCase.ExamEnded, events[^1].KindCase);
        }
    }
}
