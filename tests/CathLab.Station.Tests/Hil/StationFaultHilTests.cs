using CathLab.Acquisition.Sources;
using CathLab.Station.Control;
using CathLab.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CathLab.Station.Tests.Hil;

/// <summary>Faults in the middle of an exam: the generator's cable pulled during a cine run, and the frame link losing
/// frames. Each must stop emission, close the run loudly, and publish nothing half-written.</summary>
[Collection(HilCollection.Name)]
public sealed class StationFaultHilTests
{
    [Fact]
    public async Task The_generator_link_cut_mid_run_stops_emission_closes_the_run_as_failed_and_tells_the_technician()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StationUnderTest.StartAsync(sim);
        var control = station.Control;
        var source = (FrameLinkSource)station.Services.GetRequiredService<IFrameSource>();
        await control.StartExamAsync(new ExamRequest("DOE^JOHN", "HIL-0002"), CancellationToken.None);

        // Counted from here: the station's offset refresh at start has already read dark frames.
        long before = source.Received;
        var run = await control.PedalDownAsync("cardiac-cine-15", CancellationToken.None);
        await WaitUntilAsync(() => source.Received > before + 5, "frames to arrive");
        sim.Pty.Pull();

        await WaitUntilAsync(() => control.Status.ExposureState == "Fault" && control.Status.CurrentRun is not { State: RunState.Exposing }, "the run to close by itself");
        // The generator stops on its missing heartbeats within its window (1 s here); after that no pulse makes a frame.
        await Task.Delay(TimeSpan.FromSeconds(2));
        long afterStop = source.Received;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(afterStop, source.Received);

        var closed = await control.PedalUpAsync(CancellationToken.None);
        Assert.Equal(run.Number, closed.Number);
        Assert.Equal(RunState.Failed, closed.State);
        Assert.Null(closed.ObjectPath);
        Assert.False(string.IsNullOrWhiteSpace(closed.Failure));
        var status = control.Status;
        Assert.False(status.GeneratorConnected);
        Assert.Contains("Link", status.LastAlert ?? "", StringComparison.Ordinal);
        await Assert.ThrowsAsync<StationRefusedException>(() => control.PedalDownAsync("cardiac-cine-15", CancellationToken.None));
        Assert.Empty(Directory.GetFiles(station.SpoolFolder, "*.dcm*"));
    }

    [Fact]
    public async Task Frames_lost_on_the_frame_link_fail_the_run_loudly_and_only_complete_runs_are_published()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StationUnderTest.StartAsync(sim);
        var control = station.Control;
        await control.StartExamAsync(new ExamRequest("DOE^JOHN", "HIL-0003"), CancellationToken.None);

        sim.Command("frames drop-every 4");
        var broken = await station.ExposeAsync("cardiac-cine-15", TimeSpan.FromSeconds(1.5));
        Assert.Equal(RunState.Failed, broken.State);
        Assert.Null(broken.ObjectPath);
        Assert.Contains("lost", broken.Failure ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Directory.GetFiles(station.SpoolFolder, "*.partial"));

        sim.Command("frames drop-every 0");
        var good = await station.ExposeAsync("cardiac-cine-15", TimeSpan.FromSeconds(1.5));
        Assert.True(good.State == RunState.Complete, good.Failure);
        await control.EndExamAsync(new ExamEnd(), CancellationToken.None);

        // The good run and the exam's dose report, which counts the failed run's irradiation too.
        await WaitUntilAsync(() => Directory.Exists(station.ArchiveFolder) && Directory.GetFiles(station.ArchiveFolder, "*.dcm").Length >= 2, "the good run and the dose report in the archive");
        await Task.Delay(500);
        var archived = Directory.GetFiles(station.ArchiveFolder, "*.dcm");
        var check = Testing.ExternalTool.PythonScript("""
            import sys, pydicom
            for path in sys.argv[1:]:
                ds = pydicom.dcmread(path)
                print(ds.Modality, ds.SOPInstanceUID)
            """, archived);
        Assert.True(check.ExitCode == 0, check.All);
        var objects = check.StdOut.Trim().Split('\n').Select(l => l.Trim().Split(' ')).ToList();
        Assert.Equal(2, objects.Count);
        Assert.Contains(objects, o => o[0] == "XA" && o[1] + ".dcm" == Path.GetFileName(good.ObjectPath!));
        Assert.Contains(objects, o => o[0] == "SR");
    }

    [Fact]
    public async Task Shutting_the_station_down_during_fluoro_stops_emission_first()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        var station = await StationUnderTest.StartAsync(sim);
        var source = (FrameLinkSource)station.Services.GetRequiredService<IFrameSource>();
        await station.Control.StartExamAsync(new ExamRequest("DOE^JOHN", "HIL-0004"), CancellationToken.None);
        long before = source.Received;
        await station.Control.PedalDownAsync("cardiac-fluoro-15", CancellationToken.None);
        await WaitUntilAsync(() => source.Received > before + 5, "fluoro frames");
        Assert.Equal("Exposing", (await sim.GeneratorStatusAsync()).State);

        await station.DisposeAsync();

        var stopped = await sim.GeneratorStatusAsync();
        Assert.NotEqual("Exposing", stopped.State);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(stopped.Pulses, (await sim.GeneratorStatusAsync()).Pulses);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (int i = 0; i < 300; i++)
        {
            if (condition()) return;
            await Task.Delay(50);
        }
        Assert.Fail($"timed out waiting for {what}");
    }
}
