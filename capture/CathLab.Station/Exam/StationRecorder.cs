using CathLab.Capture.Configuration;
using CathLab.Capture.Recording;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Uids;
using CathLab.FirmwareBridge;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>The station's side of recording: turns a run of the open exam into a recording request (its own series,
/// the exam's patient and study, the beam geometry), closes it into a <see cref="RunView"/>, and re-issues DSA runs with
/// other masks. Recorded objects stay in the spool, listed on the exam, until the exam is closed and published.</summary>
public sealed class StationRecorder(RunRecorder recorder, GeneratorBridge bridge, StationOptions options, EquipmentInfo equipment, ILogger<StationRecorder> logger)
{
    private long _framesRecorded;

    public long FramesRecorded => Interlocked.Read(ref _framesRecorded);

    public string SpoolFolder { get; } = Path.GetFullPath(options.Archive.SpoolFolder);

    public void Begin(ActiveRun run)
    {
        if (!run.Protocol.Recorded) return;
        var exam = run.Exam;
        var series = new SeriesInfo(DicomUidGenerator.NewUid(), exam.NextSeriesNumber()) { Description = run.Protocol.Description, BodyPartExamined = run.Protocol.BodyPart };
        var request = new RecordingRequest(new ExamContext(exam.Patient, exam.Study, series, equipment), run.Protocol, InstanceNumber: 1)
        {
            Geometry = bridge.Dose.Geometry,
        };
        try
        {
            recorder.Begin(request);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw new StationRefusedException($"run {run.Number} cannot be recorded: {e.Message}");
        }
    }

    public async Task<RunView> EndAsync(ActiveRun run, Capture.Acquisition.RunResult result)
    {
        var kind = run.Protocol.Kind.ToString();
        if (!run.Protocol.Recorded)
        {
            return new RunView(run.Number, run.Protocol.Name, kind, result.Complete ? RunState.Complete : RunState.Failed, result.Pulses,
                (int)result.FramesReceived, result.AirKermaMilliGray, null, result.Failure);
        }
        var outcome = await recorder.EndAsync(result);
        if (outcome.Run is not { } stored)
        {
            logger.LogError("run {Number} was not recorded: {Failure}", run.Number, outcome.Failure);
            return new RunView(run.Number, run.Protocol.Name, kind, RunState.Failed, result.Pulses, (int)result.FramesReceived,
                result.AirKermaMilliGray, null, outcome.Failure ?? result.Failure ?? "not recorded");
        }
        Interlocked.Add(ref _framesRecorded, stored.Image.Frames);
        run.Exam.AddObject(new ExamObject(stored.Image.Path, stored.Image.SopInstanceUid, $"run {run.Number} {run.Protocol.Name}, {stored.Image.Frames} frames", run.Number, stored));
        logger.LogInformation("run {Number} recorded: {Frames} frames in {Path}", run.Number, stored.Image.Frames, stored.Image.Path);
        return new RunView(run.Number, run.Protocol.Name, kind, RunState.Complete, result.Pulses, stored.Image.Frames, stored.Dose.ReferenceAirKermaMilliGray,
            stored.Image.Path, null);
    }

    /// <summary>Re-issues recorded DSA run <paramref name="runNumber"/> of the open exam with other mask frames, as a new object of its series.</summary>
    public RunView Remask(OpenExam exam, int runNumber, IReadOnlyList<int> maskFrames)
    {
        var original = exam.Runs.FirstOrDefault(r => r.Number == runNumber && r.ObjectPath is not null)
            ?? throw new StationRefusedException($"run {runNumber} of this exam was not recorded");
        if (original.Kind != nameof(Capture.Acquisition.RunKind.Dsa)) throw new StationRefusedException($"run {runNumber} is {original.Kind}, not a DSA run");
        if (!File.Exists(original.ObjectPath)) throw new StationRefusedException($"run {runNumber}'s object has left the station ({original.ObjectPath})");
        RemaskedRun remasked;
        try
        {
            remasked = RunRemasker.Remask(original.ObjectPath!, maskFrames, SpoolFolder, instanceNumber: exam.Objects.Count(o => o.RunNumber == runNumber) + 1);
        }
        catch (ArgumentException e)
        {
            throw new StationRefusedException(e.Message);
        }
        exam.AddObject(new ExamObject(remasked.Path, remasked.SopInstanceUid,
            $"run {runNumber} remasked with frames {string.Join(',', remasked.MaskFrameNumbers)}", runNumber, null));
        logger.LogInformation("run {Number} remasked with frames {Mask}: {Path}", runNumber, string.Join(',', remasked.MaskFrameNumbers), remasked.Path);
        return original with { ObjectPath = remasked.Path };
    }
}
