using CathLab.Contracts.Client;
using CathLab.Dicom.Files;
using CathLab.LiveFeed.Protocol;
using CathLab.Security.Access;
using CathLab.Station.Control;
using CathLab.Testing;
using Grpc.Core;
using OpenCvSharp;

namespace CathLab.Station.Tests.Hil;

/// <summary>Review as the station hosts it: the exam's recorded runs (one of them still being recorded) reach an observer
/// through the station's catalog adapter, and a frame of a run comes back pixel-exact against its object.</summary>
[Collection(HilCollection.Name)]
public sealed class StationReviewHilTests
{
    private const string ObserverToken = "observer-token-for-the-review-test";

    [Fact]
    public async Task An_observer_lists_the_exams_runs_while_one_is_recorded_reviews_one_and_fetches_its_frame()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StationUnderTest.StartAsync(sim,
            "--Station:Tokens:0:Holder=dr-remote", "--Station:Tokens:0:Role=observer", $"--Station:Tokens:0:Sha256={TokenStore.Sha256Hex(ObserverToken)}");
        var exam = await station.Control.StartExamAsync(new ExamRequest("DOE^JANE", "HIL-0014"), CancellationToken.None);
        var first = await station.ExposeAsync("cardiac-cine-15", TimeSpan.FromSeconds(1));
        Assert.NotNull(first.ObjectPath);

        using var channel = LiveFeedObserver.CreateChannel(new Uri($"http://127.0.0.1:{station.GrpcPort}"));
        var client = new CathLab.LiveFeed.Protocol.LiveFeed.LiveFeedClient(channel);
        Metadata bearer = [new Metadata.Entry("authorization", "Bearer " + ObserverToken)];

        await station.Control.PedalDownAsync("cardiac-cine-15", CancellationToken.None);
        ListRecordedRunsReply during;
        try
        {
            await Task.Delay(1000);
            during = await client.ListRecordedRunsAsync(new ListRecordedRunsRequest { ExamId = exam.ExamId }, bearer);
        }
        finally
        {
            await station.Control.PedalUpAsync(CancellationToken.None);
        }
        Assert.Equal(2, during.Runs.Count);
        Assert.True(during.Runs[1].Recording);
        Assert.Equal("", during.Runs[1].Problem);
        Assert.True(during.Runs[1].Frames > 0);

        var after = await client.ListRecordedRunsAsync(new ListRecordedRunsRequest { ExamId = exam.ExamId }, bearer);
        var cine = after.Runs[0];
        Assert.Equal($"{exam.ExamId}/run-{first.Number}", cine.RunId);
        Assert.Equal(((uint)first.Frames, "cine", false, 512u), (cine.Frames, cine.Kind, cine.Recording, cine.Width));
        Assert.InRange(cine.FrameRate, 5f, 15.5f); // the object's own Cine Rate: what the generator really delivered, at most the protocol's 15
        Assert.True(cine.ReferenceAirKermaMgy > 0);
        Assert.False(after.Runs[1].Recording);

        var fetched = await client.FetchFrameAsync(new FetchFrameRequest { ExamId = exam.ExamId, RunId = cine.RunId, FrameNumber = 2 }, bearer);
        using var png = Cv2.ImDecode(fetched.Data.ToByteArray(), ImreadModes.Unchanged);
        png.GetArray(out ushort[] pixels);
        using var file = DicomFileReader.Open(first.ObjectPath!);
        var stored = new ushort[pixels.Length];
        file.ReadFrame(1, System.Runtime.InteropServices.MemoryMarshal.AsBytes(stored.AsSpan()));
        Assert.True(stored.AsSpan().SequenceEqual(pixels), "frame 2 differs from the stored object");

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = client.Review(bearer, cancellationToken: stop.Token);
        await call.RequestStream.WriteAsync(new ReviewMessage { Review = new ReviewRequest { ExamId = exam.ExamId, RunId = cine.RunId, StartFrame = 3, FrameCount = 3, Fps = 30 } });
        var numbers = new List<ulong>();
        while (numbers.Count < 3 && await call.ResponseStream.MoveNext(stop.Token))
        {
            if (call.ResponseStream.Current.Frame is not { } frame) continue;
            numbers.Add(frame.FrameNumber);
            await call.RequestStream.WriteAsync(new ReviewMessage { Ack = new Ack { FrameNumber = frame.FrameNumber } });
        }
        Assert.Equal([3ul, 4ul, 5ul], numbers);
        await call.RequestStream.CompleteAsync();
    }
}
