using CathLab.Dicom.Data;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Iods.Context;

namespace CathLab.Dicom.Iods.Xa;

/// <summary>
/// Records one run as a multi-frame XA Part 10 file while it is acquired. Frames go straight to disk through the
/// core's <see cref="DicomMultiFrameWriter"/> (one frame in memory at most). The file is written as
/// "&lt;path&gt;.partial" with a provisional header and a reserve block; <see cref="Complete"/> rewrites the header
/// in place with what the frames reported and renames the file to its final path. <see cref="Abandon"/> (or
/// disposing without completing) deletes the partial file, so a run is never left looking complete.
/// </summary>
public sealed class XaRunWriter : IDisposable
{
    public const string PartialSuffix = ".partial";

    private readonly ExamContext _exam;
    private readonly XaRunSettings _run;
    private readonly string _path;
    private readonly string _partialPath;
    private readonly FileStream _stream;
    private readonly DicomMultiFrameWriter _frames;
    private readonly XaRunStatistics _statistics;
    private readonly long _dataSetStart;
    private readonly long _headerEnd;
    private State _state = State.Recording;

    private enum State { Recording, Completed, Abandoned, Failed }

    private XaRunWriter(string path, ExamContext exam, XaRunSettings run)
    {
        run.Validate();
        _exam = exam;
        _run = run;
        _path = System.IO.Path.GetFullPath(path);
        _partialPath = _path + PartialSuffix;
        if (File.Exists(_path)) throw new IOException($"{_path} exists; a run never overwrites a stored object");
        _statistics = new XaRunStatistics(run.ExpectedMaxFrames);

        var header = XaImageHeader.Build(exam, run, _statistics);
        HeaderReserve.Add(header, HeaderReserve.BytesFor(run.ExpectedMaxFrames));
        _dataSetStart = MetaLength(header, run);
        _stream = new FileStream(_partialPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1 << 20);
        try
        {
            _frames = new DicomMultiFrameWriter(_stream, header, run.TransferSyntax, run.SourceAeTitle, leaveOpen: true);
            _headerEnd = _stream.Position - PixelDataPrefixLength(run.TransferSyntax);
        }
        catch
        {
            _stream.Dispose();
            File.Delete(_partialPath);
            throw;
        }
    }

    /// <summary>Starts a run: writes the provisional header to "<paramref name="path"/>.partial".</summary>
    public static XaRunWriter Create(string path, ExamContext exam, XaRunSettings run) => new(path, exam, run);

    public string Path => _path;
    public string PartialPath => _partialPath;
    public int FramesWritten => _statistics.Frames;

    /// <summary>Bytes one frame must have: rows x columns x (1 or 2), little endian.</summary>
    public int FrameLength => _frames.Format.FrameLength;

    /// <summary>Appends one frame and what made it. Throws on a wrong size, time running backwards or unphysical technique; the run stays usable.</summary>
    public void WriteFrame(ReadOnlySpan<byte> pixels, in XaFrameRecord record)
    {
        EnsureRecording();
        if (pixels.Length != FrameLength) throw new ArgumentException($"frame has {pixels.Length} bytes; {FrameLength} expected");
        if (_statistics.Frames >= ushort.MaxValue) throw new InvalidOperationException("a run holds at most 65535 frames");
        _statistics.Add(record); // validates before anything reaches the file
        try
        {
            _frames.WriteFrame(pixels);
            _stream.Flush(); // to the operating system (not the disk): a reviewer reading the growing file sees every whole frame
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
    }

    /// <summary>
    /// Finishes the run: fixes Number of Frames, frame timing and technique, flushes to disk and renames the file
    /// to its final path. On failure the partial file is deleted and the exception passed on.
    /// </summary>
    public XaRunSummary Complete()
    {
        EnsureRecording();
        try
        {
            if (_statistics.Frames == 0) throw new InvalidOperationException("a run with no frames cannot be completed; abandon it");
            CheckMask();
            _frames.Complete();
            var header = XaImageHeader.Build(_exam, _run, _statistics);
            var length = RewriteHeader(header);
            _stream.Dispose();
            File.Move(_partialPath, _path);
            _state = State.Completed;
            return Summarize(header, length);
        }
        catch
        {
            Abandon();
            throw;
        }
    }

    /// <summary>Discards the run: the partial file is deleted. Safe to call more than once.</summary>
    public void Abandon()
    {
        if (_state == State.Completed || _state == State.Abandoned) return;
        _state = State.Abandoned;
        _frames.Dispose();
        _stream.Dispose();
        File.Delete(_partialPath);
    }

    public void Dispose()
    {
        if (_state != State.Completed) Abandon();
        _frames.Dispose();
    }

    private void EnsureRecording()
    {
        if (_state != State.Recording) throw new InvalidOperationException($"the run is {_state.ToString().ToLowerInvariant()}");
    }

    private void CheckMask()
    {
        if (_run.Mask is not { } mask) return;
        var n = _statistics.Frames;
        if (mask.MaskFrameNumbers.Any(f => f > n)) throw new InvalidOperationException($"mask frames {string.Join(",", mask.MaskFrameNumbers)} pass the run's {n} frames");
        var first = mask.ApplicableFrames?.First ?? mask.MaskFrameNumbers.Max() + 1;
        if (first > n) throw new InvalidOperationException($"no frame of the {n} is left to subtract the mask from");
    }

    /// <summary>Writes the final header over the provisional one; the reserve block absorbs the difference. Returns the file length.</summary>
    private long RewriteHeader(DicomDataSet header)
    {
        var syntax = _run.TransferSyntax;
        var room = _headerEnd - _dataSetStart;
        var withEmptyReserve = header.Clone();
        HeaderReserve.Add(withEmptyReserve, 0);
        var needed = DicomDataSetWriter.MeasureLength(withEmptyReserve, syntax);
        if (needed <= room)
        {
            HeaderReserve.Add(header, checked((int)(room - needed)));
            _stream.Position = _dataSetStart;
            DicomDataSetWriter.Write(_stream, header, syntax);
            if (_stream.Position != _headerEnd) throw new InvalidOperationException($"header rewrite ended at {_stream.Position}, not {_headerEnd}");
            _stream.Flush(flushToDisk: true);
            return _stream.Length;
        }
        return CopyWithLargerHeader(header);
    }

    /// <summary>The run outgrew its reserve: write a new file with the final header and the pixel data copied as it is.</summary>
    private long CopyWithLargerHeader(DicomDataSet header)
    {
        var copyPath = _partialPath + ".copy";
        long length;
        using (var copy = new FileStream(copyPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            DicomPart10.WriteHeader(copy, DicomFileMetaInformation.For(header, _run.TransferSyntax, _run.SourceAeTitle));
            DicomDataSetWriter.Write(copy, header, _run.TransferSyntax);
            _stream.Position = _headerEnd;
            _stream.CopyTo(copy, 1 << 20);
            copy.Flush(flushToDisk: true);
            length = copy.Length;
        }
        _stream.Dispose();
        File.Move(copyPath, _partialPath, overwrite: true);
        return length;
    }

    private XaRunSummary Summarize(DicomDataSet header, long length)
    {
        var s = _statistics;
        return new XaRunSummary(
            _path, XaImageHeader.SopClassUid, _run.SopInstanceUid, _exam.Series.InstanceUid, _run.IrradiationEventUid, s.Frames,
            s.FirstTimestamp, s.LastTimestamp.AddMilliseconds(s.MeanPulseWidthMs), s.MeanKvp, s.KvpMin, s.KvpMax, s.MeanTubeCurrentMa,
            s.MeanPulseWidthMs, s.PulseWidthSumMs, s.ExposureMicroAs, s.PrimaryAngles[0], s.SecondaryAngles[0],
            header.Contains(Dictionary.DicomTags.FrameTimeVector), length);
    }

    private static long MetaLength(DicomDataSet header, XaRunSettings run)
    {
        using var ms = new MemoryStream();
        DicomPart10.WriteHeader(ms, DicomFileMetaInformation.For(header, run.TransferSyntax, run.SourceAeTitle));
        return ms.Length;
    }

    /// <summary>Pixel Data's element header (and, encapsulated, the empty Basic Offset Table item) as the core writes them.</summary>
    private static int PixelDataPrefixLength(DicomTransferSyntax syntax) =>
        (syntax.IsExplicitVR ? 12 : 8) + (syntax.IsEncapsulated ? 8 : 0);
}
