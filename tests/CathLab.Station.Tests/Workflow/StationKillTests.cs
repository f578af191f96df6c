using CathLab.Station.Tests.Hil;
using CathLab.Station.Tests.Support;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Tests.Workflow;

/// <summary>The station process killed (SIGKILL) in the middle of a cine run and in the middle of publishing, and
/// started again on the same spool folder: nothing is lost, nothing is stored twice, nothing half-written reaches the
/// PACS, and the journal's account agrees with Orthanc's.</summary>
[Collection(HilCollection.Name)]
public sealed class StationKillTests
{
    private static readonly TimeSpan Cine = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task A_station_killed_mid_cine_and_mid_publishing_loses_nothing_and_stores_nothing_twice()
    {
        await using var hospital = await Hospital.StartAsync("KILL", withStation: false);
        using var station = new StationProcess(hospital.Simulator, hospital.StationArguments);
        await station.StartAsync();
        string Why(string what) => $"{what}\noutbox:\n{string.Join("\n", station.Outbox().Select(i => $"  {i}"))}\nstation:\n{station.Output}\nOrthanc:\n{hospital.Orthanc.Log[^Math.Min(hospital.Orthanc.Log.Length, 3000)..]}";

        // First exam: two complete cine runs, then the station dies while the third is being acquired.
        var entry = station.Control.QueryWorklist(new Proto.QueryWorklistRequest(), station.Call).Entries.Single();
        station.Control.StartExam(new Proto.StartExamRequest { WorklistItemId = entry.Id }, station.Call);
        await ReadyToExposeAsync(station);
        var complete = new List<Proto.RunInfo> { await CineAsync(station, "cardiac-cine-15"), await CineAsync(station, "cardiac-cine-30") };
        using (await PedalDownAsync(station, "cardiac-cine-15"))
        {
            await Task.Delay(TimeSpan.FromSeconds(0.7));
            station.Kill();
        }
        Assert.Contains(Directory.GetFiles(station.SpoolFolder), f => f.EndsWith(".partial", StringComparison.Ordinal));

        // Restarted on the same spool: the complete runs are taken in and published, the partial one is removed.
        await station.StartAsync();
        await Poll.UntilAsync(() => Committed(station.Outbox(), complete.Count), () => Why("the recovered runs were not committed"));
        Assert.Empty(Directory.GetFiles(station.SpoolFolder, "*.partial"));
        var recovered = await PublishedObjects.InOrthancAsync(hospital.Orthanc);
        Assert.Equal(complete.Select(r => Path.GetFileNameWithoutExtension(r.ObjectPath)).Order(), recovered.Select(s => s.SopInstanceUid).Order());
        Assert.All(complete, r => Assert.Equal(r.Frames, recovered.Single(s => s.SopInstanceUid == Path.GetFileNameWithoutExtension(r.ObjectPath)).Frames));

        // Second exam (the restarted station asks the worklist again), ended normally; the station dies as soon as the
        // PACS has stored the first of its objects.
        entry = station.Control.QueryWorklist(new Proto.QueryWorklistRequest(), station.Call).Entries.Single();
        station.Control.StartExam(new Proto.StartExamRequest { WorklistItemId = entry.Id }, station.Call);
        await ReadyToExposeAsync(station);
        complete.Add(await CineAsync(station, "cardiac-cine-15"));
        complete.Add(await CineAsync(station, "cardiac-cine-30"));
        station.Control.EndExam(new Proto.EndExamRequest(), station.Call);
        int total = complete.Count + 1; // and the second exam's dose report
        await Poll.UntilAsync(() => station.Outbox() is var items && items.Count == total && items.Any(i => i.State is Proto.OutboxItemState.Sent or Proto.OutboxItemState.Committed && !recovered.Any(s => s.SopInstanceUid == i.SopInstanceUid)),
            () => Why("nothing of the second exam was sent"), seconds: 120);
        var atKill = station.Outbox();
        station.Kill();
        if (atKill.All(i => i.State == Proto.OutboxItemState.Committed)) Assert.Fail("everything was committed before the kill: this run tested nothing");

        await station.StartAsync();
        await Poll.UntilAsync(() => Committed(station.Outbox(), total), () => Why("not every object was committed after the restart"));
        await Poll.UntilAsync(() => Directory.GetFiles(station.SpoolFolder, "*.dcm").Length == 0, () => Why("the spool still holds objects"));

        var stored = await PublishedObjects.InOrthancAsync(hospital.Orthanc);
        var journal = station.Outbox();
        Assert.Equal(total, stored.Count);
        Assert.Equal(total, stored.Select(s => s.SopInstanceUid).Distinct().Count());
        Assert.Equal(journal.Select(i => i.SopInstanceUid).Order(), stored.Select(s => s.SopInstanceUid).Order());
        Assert.Equal(complete.Select(r => Path.GetFileNameWithoutExtension(r.ObjectPath)).Order(), stored.Where(s => s.Modality == "XA").Select(s => s.SopInstanceUid).Order());
        Assert.Single(stored, s => s.Modality == "SR");
        Assert.All(stored, s => Assert.Equal(hospital.Scheduled.StudyInstanceUid, s.StudyInstanceUid));
    }

    /// <summary>The generator latches a heartbeat fault when the station vanishes (and, on a loaded machine, may when
    /// a new station process is slow to take over the link); the technician resets it, as after any generator fault.
    /// A short fluoro run proves the chain works (fluoro makes no object, so the outbox's account is unchanged).</summary>
    private static async Task ReadyToExposeAsync(StationProcess station)
    {
        string last = "";
        for (int attempt = 0; attempt < 4; attempt++)
        {
            try
            {
                if (station.Control.GetStatus(new Proto.GetStatusRequest(), station.Call).ExposureState == "Fault")
                    station.Control.ResetFault(new Proto.ResetFaultRequest(), station.Call);
                using var pedal = await HeldPedal.PressAsync(station.Control, station.Headers, HeldPedal.Console("cardiac-fluoro-15"));
                await Task.Delay(TimeSpan.FromSeconds(0.4));
                var probe = (await pedal.ReleaseAsync()).Run;
                if (probe.State == Proto.RunState.Complete) return;
                last = probe.Failure;
            }
            catch (Grpc.Core.RpcException e)
            {
                last = e.Status.Detail;
            }
        }
        Assert.Fail($"the station cannot expose: {last}\n{station.Output}");
    }

    private static async Task<HeldPedal> PedalDownAsync(StationProcess station, string protocol)
    {
        try
        {
            return await HeldPedal.PressAsync(station.Control, station.Headers, HeldPedal.Console(protocol));
        }
        catch (Grpc.Core.RpcException e)
        {
            throw new InvalidOperationException($"pedal down refused: {e.Status.Detail}\nstatus: {station.Control.GetStatus(new Proto.GetStatusRequest(), station.Call)}\nstation:\n{station.Output}", e);
        }
    }

    private static bool Committed(IReadOnlyList<Proto.OutboxItem> items, int count) =>
        items.Count == count && items.All(i => i.State == Proto.OutboxItemState.Committed);

    private static async Task<Proto.RunInfo> CineAsync(StationProcess station, string protocol)
    {
        using var pedal = await PedalDownAsync(station, protocol);
        await Task.Delay(Cine);
        var run = (await pedal.ReleaseAsync()).Run;
        Assert.True(run.State == Proto.RunState.Complete && run.HasObjectPath, $"run {run.Number} ({run.Protocol}): {run.Failure}");
        return run;
    }
}
