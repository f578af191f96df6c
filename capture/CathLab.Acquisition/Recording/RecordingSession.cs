using System.Diagnostics;
using System.Runtime.InteropServices;
using CathLab.Acquisition.Frames;
using CathLab.Dicom.Iods.Xa;

namespace CathLab.Acquisition.Recording;

/// <summary>One run being recorded: its writer (made at the first frame, when the frame size is known), what was
/// written and reported so far, and the first failure. Used under the recorder's lock only.</summary>
internal sealed class RecordingSession(RecordingRequest request, RecorderOptions options, long startOrdinal, long droppedAtBegin, long reportsAtBegin)
{
    private readonly DateTime _beganAt = options.Time.GetLocalNow().DateTime;
    private readonly long _beganTicks = Stopwatch.GetTimestamp();
    private XaRunWriter? _writer;
    private byte[]? _narrow;
    private ushort[]? _corrected;
    private DateTime _firstFrameAt;
    private ulong _firstPulseMicroseconds;
    private long _kermaNanoGray;

    public RecordingRequest Request { get; } = request;

    /// <summary>Frames with a queue ordinal up to this one were queued before the run began.</summary>
    public long StartOrdinal { get; } = startOrdinal;

    public long DroppedAtBegin { get; } = droppedAtBegin;
    public long ReportsAtBegin { get; } = reportsAtBegin;
    public int FramesWritten { get; private set; }

    /// <summary>Frames of this run taken from the queue, written or not.</summary>
    public long FramesSeen { get; set; }
    public long FramesDiscarded { get; set; }
    public string? Failure { get; private set; }
    public string Path { get; } = System.IO.Path.Combine(options.SpoolFolder, request.SopInstanceUid + ".dcm");

    public void Write(Frame frame, in PulseReport report) => Write(frame.Info, frame.Pixels, report);

    public void Write(in FrameInfo info, ReadOnlySpan<ushort> pixels, in PulseReport report)
    {
        _writer ??= CreateWriter(info);
        if (FramesWritten == 0)
        {
            // Absolute time from the station's clock when the first report came; every later frame from the generator's
            // own clock, so the intervals in the object are the ones the generator really kept.
            _firstFrameAt = _beganAt.AddTicks((long)((report.ReceivedTicks - _beganTicks) * (TimeSpan.TicksPerSecond / (double)Stopwatch.Frequency)));
            if (_firstFrameAt < _beganAt) _firstFrameAt = _beganAt;
            _firstPulseMicroseconds = report.TimestampMicroseconds;
        }
        var at = _firstFrameAt.AddTicks((long)(report.TimestampMicroseconds - _firstPulseMicroseconds) * 10);
        var technique = report.Technique;
        var record = new XaFrameRecord(at, technique.Kv, technique.Ma, technique.PulseWidthMs, Request.PrimaryAngleDeg, Request.SecondaryAngleDeg);
        if (Request.Calibration is { } calibration && calibration.Data.Geometry.PixelCount == pixels.Length)
        {
            _corrected ??= new ushort[pixels.Length];
            calibration.Data.Correct(pixels, _corrected);
            pixels = _corrected;
        }
        _writer.WriteFrame(PixelBytes(pixels, info), record);
        FramesWritten++;
        _kermaNanoGray += report.AirKermaNanoGray;
    }

    public void Fail(string reason)
    {
        Failure ??= reason;
        Abandon();
    }

    /// <summary>Deletes the partial file; nothing half-written keeps a name.</summary>
    public void Abandon()
    {
        if (_writer is null) return;
        try
        {
            _writer.Abandon();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // On a full disk closing the file fails while flushing what it buffered, before the writer deletes it.
            try
            {
                File.Delete(_writer.PartialPath);
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
                Failure ??= $"could not delete {_writer.PartialPath}: {again.Message} (after {e.Message})";
            }
        }
    }

    public RecordedRun Complete()
    {
        if (_writer is null) throw new InvalidOperationException("no frame was written");
        var image = _writer.Complete();
        double kerma = _kermaNanoGray / 1e6;
        return new RecordedRun(image, new RecordedDose(FramesWritten, kerma, kerma / 1000.0 * Request.Geometry.FieldAreaAtReferenceCm2));
    }

    private XaRunWriter CreateWriter(FrameInfo first)
    {
        var geometry = Request.Geometry;
        var settings = new XaRunSettings
        {
            SopInstanceUid = Request.SopInstanceUid,
            InstanceNumber = Request.InstanceNumber,
            AcquisitionStartedAt = _beganAt,
            Rows = first.Height,
            Columns = first.Width,
            DetectorBits = first.BitsStored,
            NominalFrameTimeMs = 1000.0 / Request.Protocol.Phases[0].PulseRate,
            RadiationSetting = Request.RadiationSetting,
            PixelIntensity = PixelIntensity.Lin,
            FieldSizeMm = Math.Max(geometry.FieldWidthCm, geometry.FieldHeightCm) * 10,
            DistanceSourceToDetectorMm = geometry.SourceImageDistanceCm * 10,
            // The reference point lies 15 cm from the isocentre towards the source (IEC 60601-2-43): the isocentre is the
            // patient plane of Distance Source to Patient, from which the magnification of a measurement follows.
            DistanceSourceToPatientMm = (geometry.SourceReferenceDistanceCm + 15) * 10,
            ImagerPixelSpacingMm = options.ImagerPixelSpacingMm,
            Contrast = Request.Contrast,
            Mask = Request.Mask,
            IrradiationEventUid = Request.IrradiationEventUid,
            TransferSyntax = options.SyntaxFor(Request.Protocol.Phases.Max(p => p.PulseRate)),
            ExpectedMaxFrames = options.ExpectedMaxFrames,
            SourceAeTitle = options.SourceAeTitle,
            Calibration = Request.Calibration is { } c ? new XaDetectorCalibration(c.CalibratedAt?.LocalDateTime, c.Description) : null,
        };
        return XaRunWriter.Create(Path, Request.Exam, settings);
    }

    private ReadOnlySpan<byte> PixelBytes(ReadOnlySpan<ushort> pixels, in FrameInfo info)
    {
        if (_writer!.FrameLength != info.PixelCount) return MemoryMarshal.AsBytes(pixels);
        // An 8-bit detector is stored one byte per pixel; the pool holds 16-bit words.
        _narrow ??= new byte[info.PixelCount];
        for (int i = 0; i < pixels.Length; i++) _narrow[i] = (byte)pixels[i];
        return _narrow;
    }
}
