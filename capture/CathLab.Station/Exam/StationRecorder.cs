using CathLab.Acquisition.Calibration;
using CathLab.Acquisition.Fluoro;
using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Recording;
using CathLab.Acquisition.Runs;
using CathLab.Dicom.Data;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Uids;
using CathLab.FirmwareBridge;
using CathLab.Station.Configuration;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>The station's side of recording: turns a run of the open exam into a recording request (its own series,
/// the exam's patient and study, the beam geometry), closes it into a <see cref="RunView"/>, and re-issues DSA runs with
/// other masks. Recorded objects stay in the spool, listed on the exam, until the exam is closed and published.</summary>
public sealed class StationRecorder(RunRecorder recorder, PulseReportBook pulses, FluoroLoop fluoroLoop, GeneratorBridge bridge, StationOptions options,
    EquipmentInfo equipment, CalibrationState calibration, ILogger<StationRecorder> logger)
{
    private readonly FluoroLoopStore? _loop = fluoroLoop.Store;

    private long _framesRecorded;

    public long FramesRecorded => Interlocked.Read(ref _framesRecorded);

    public string SpoolFolder { get; } = Path.GetFullPath(options.Archive.SpoolFolder);

    private RecordingRequest RequestFor(OpenExam exam, AcquisitionProtocol protocol, string laterality = "")
    {
        var series = new SeriesInfo(DicomUidGenerator.NewUid(), exam.NextSeriesNumber())
        {
            Description = protocol.Description,
            BodyPartExamined = protocol.BodyPart,
            Laterality = laterality,
        };
        return new RecordingRequest(new ExamContext(exam.Patient, exam.Study, series, equipment), protocol, InstanceNumber: 1)
        {
            Geometry = bridge.Dose.Geometry,
            Calibration = calibration.ForRecording(),
        };
    }

    /// <summary>Keeps the last <paramref name="seconds"/> of the fluoro loop as a recorded run of the open exam.</summary>
    public RunView SaveLastFluoro(OpenExam exam, int runNumber, double seconds, double pulseRate)
    {
        if (_loop is null) throw new StationRefusedException("the fluoro loop is off (Station:FluoroStoreSeconds is 0)");
        if (!(seconds > 0) || seconds > options.FluoroStoreSeconds)
            throw new StationRefusedException($"the station keeps the last {options.FluoroStoreSeconds:0.#} s of fluoro; {seconds:0.#} s cannot be saved");
        var protocol = FluoroLoopRecording.ProtocolFor(pulseRate) with { BodyPart = "HEART" };
        // The saved frames were irradiated by the last fluoro sequence: the object names that event of the dose report.
        var request = RequestFor(exam, protocol);
        if (exam.Irradiations.Other.LastOrDefault(f => f.Kind == Dicom.Iods.Rdsr.IrradiationKind.Fluoroscopy) is { } sequence)
            request = request with { IrradiationEventUid = sequence.Uid };
        var outcome = FluoroLoopRecording.Save(_loop, TimeSpan.FromSeconds(seconds), pulses, request,
            recorder.Options);
        if (outcome.Run is not { } stored) throw new StationRefusedException($"the last fluoro was not saved: {outcome.Failure}");
        Interlocked.Add(ref _framesRecorded, stored.Image.Frames);
        exam.AddObject(new ExamObject(stored.Image.Path, stored.Image.SopInstanceUid, $"run {runNumber} saved fluoro, {stored.Image.Frames} frames", runNumber, stored)
        {
            SeriesInstanceUid = stored.Image.SeriesInstanceUid,
            SeriesDescription = protocol.Description,
        });
        logger.LogInformation("last {Seconds} s of fluoro saved as run {Number}: {Frames} frames in {Path}", seconds, runNumber, stored.Image.Frames, stored.Image.Path);
        var view = new RunView(runNumber, protocol.Name, nameof(RunKind.Fluoro), RunState.Complete, stored.Dose.Pulses, stored.Image.Frames,
            stored.Dose.ReferenceAirKermaMilliGray, stored.Image.Path, null);
        exam.Add(view);
        return view;
    }

    /// <summary>Starts recording the run (nothing for fluoro) and returns how long it may expose before the recorder's
    /// capacity is reached, keeping room for the frames that still arrive after the station releases the pedal.</summary>
    public RunLengthLimit? Begin(ActiveRun run)
    {
        if (!run.Protocol.Recorded) return null;
        var request = RequestFor(run.Exam, run.Protocol, run.Laterality);
        try
        {
            var format = new DicomFrameFormat(options.Detector.Size, options.Detector.Size, options.Detector.BitsStored > 8 ? 16 : 8);
            double rate = run.Protocol.Phases.Max(p => p.PulseRate);
            var capacity = recorder.CapacityFor(format, rate);
            var limit = RunLengthLimit.For(capacity, rate)
                ?? throw new IOException($"{capacity.LimitedBy} leaves no room for a run");
            recorder.Begin(request);
            return limit;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw new StationRefusedException($"run {run.Number} cannot be recorded: {e.Message}");
        }
    }

    public async Task<RunView> EndAsync(ActiveRun run, RunResult result)
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
        run.Exam.AddObject(new ExamObject(stored.Image.Path, stored.Image.SopInstanceUid, $"run {run.Number} {run.Protocol.Name}, {stored.Image.Frames} frames", run.Number, stored)
        {
            SeriesInstanceUid = stored.Image.SeriesInstanceUid,
            SeriesDescription = run.Protocol.Description,
        });
        logger.LogInformation("run {Number} recorded: {Frames} frames in {Path}", run.Number, stored.Image.Frames, stored.Image.Path);
        return new RunView(run.Number, run.Protocol.Name, kind, RunState.Complete, result.Pulses, stored.Image.Frames, stored.Dose.ReferenceAirKermaMilliGray,
            stored.Image.Path, null);
    }

    /// <summary>Re-issues recorded DSA run <paramref name="runNumber"/> of the open exam with other mask frames, as a new object of its series.</summary>
    public RunView Remask(OpenExam exam, int runNumber, IReadOnlyList<int> maskFrames)
    {
        var original = exam.Runs.FirstOrDefault(r => r.Number == runNumber && r.ObjectPath is not null)
            ?? throw new StationRefusedException($"run {runNumber} of this exam was not recorded");
        if (original.Kind != nameof(RunKind.Dsa)) throw new StationRefusedException($"run {runNumber} is {original.Kind}, not a DSA run");
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
        var source = exam.Objects.First(o => o.Path == original.ObjectPath);
        exam.AddObject(new ExamObject(remasked.Path, remasked.SopInstanceUid,
            $"run {runNumber} remasked with frames {string.Join(',', remasked.MaskFrameNumbers)}", runNumber, null)
        {
            SeriesInstanceUid = source.SeriesInstanceUid,
            SeriesDescription = source.SeriesDescription,
        });
        logger.LogInformation("run {Number} remasked with frames {Mask}: {Path}", runNumber, string.Join(',', remasked.MaskFrameNumbers), remasked.Path);
        return original with { ObjectPath = remasked.Path };
    }
}
