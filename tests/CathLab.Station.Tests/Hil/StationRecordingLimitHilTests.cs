using CathLab.Acquisition.Recording;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Station.Control;
using CathLab.Testing;

namespace CathLab.Station.Tests.Hil;

/// <summary>A cine run that would outgrow what the recorder can hold is ended by the station, with the pedal still down,
/// and kept whole: frames = pulses, one object, and the technician told why the exposure stopped.</summary>
[Collection(HilCollection.Name)]
public sealed class StationRecordingLimitHilTests
{
    private const int FrameSide = 512;

    [Fact]
    public async Task A_run_that_would_fill_the_spool_is_ended_by_the_station_and_kept_whole()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", FrameSide.ToString());
        // Leave the run about 32 MiB of the spool's file system: some 56 frames at 512 x 512 planned at JPEG-LS's noise bound.
        long freeMiB = TempFreeMiB();
        await using var station = await StationUnderTest.StartAsync(sim, $"--Station:SpoolReserveMiB={freeMiB - 32}");
        var control = station.Control;
        await control.StartExamAsync(new ExamRequest("DOE^JOHN", "HIL-LIMIT"), CancellationToken.None);

        await control.PedalDownAsync("cardiac-cine-15", CancellationToken.None);
        // The pedal stays down for 12 s; the station must end the exposure after about 4 s (56 frames less the headroom, at 15 fps).
        var deadline = DateTime.UtcNow.AddSeconds(12);
        while (DateTime.UtcNow < deadline && control.Status.ExposureState != "ExposingCine") await Task.Delay(50);
        Assert.Equal("ExposingCine", control.Status.ExposureState);
        while (DateTime.UtcNow < deadline && control.Status.ExposureState == "ExposingCine") await Task.Delay(100);
        Assert.NotEqual("ExposingCine", control.Status.ExposureState);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var stoppedAt = control.Status;
        var run = await control.PedalUpAsync(CancellationToken.None);

        Assert.Equal(RunState.Complete, run.State);
        Assert.Equal(run.Pulses, run.Frames);
        Assert.InRange(run.Pulses, 30, 75);
        Assert.Contains("RecordingLimit", stoppedAt.LastAlert ?? "", StringComparison.Ordinal);
        Assert.Contains("free space", stoppedAt.LastAlert ?? "", StringComparison.Ordinal);
        using var reader = DicomFileReader.Open(run.ObjectPath!);
        Assert.Equal(run.Frames, reader.FrameCount);
        Assert.Equal(DicomTransferSyntax.JpegLsLossless.Uid, reader.TransferSyntax.Uid);
    }

    [Fact]
    public async Task A_spool_without_room_for_a_second_of_run_refuses_the_pedal_before_any_exposure()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", FrameSide.ToString());
        long freeMiB = TempFreeMiB();
        await using var station = await StationUnderTest.StartAsync(sim, $"--Station:SpoolReserveMiB={freeMiB + 1}",
            $"--Station:RecorderTransferSyntax={Acquisition.Recording.RecorderTransferSyntax.ExplicitVRLittleEndian}");
        var control = station.Control;
        await control.StartExamAsync(new ExamRequest("DOE^JOHN", "HIL-FULL"), CancellationToken.None);

        var refused = await Assert.ThrowsAsync<StationRefusedException>(() => control.PedalDownAsync("cardiac-cine-15", CancellationToken.None));
        Assert.Contains("free space", refused.Message, StringComparison.Ordinal);
        Assert.Null(control.Status.CurrentRun);
        Assert.Equal(0, control.Status.FramesRecorded);
    }

    /// <summary>Free MiB on the file system of the temporary folder, where the test station's spool goes.</summary>
    private static long TempFreeMiB()
    {
        string probe = Directory.CreateTempSubdirectory("cathlab-limit-").FullName;
        try
        {
            return RecordingCapacity.FreeBytes(probe) >> 20;
        }
        finally
        {
            Directory.Delete(probe);
        }
    }
}
