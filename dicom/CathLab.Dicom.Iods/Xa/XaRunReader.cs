using CathLab.Dicom.Data;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Iods.Xa;

/// <summary>
/// Reads a recorded run frame by frame, also while it is still being recorded: the object's final path when the run is
/// complete, else the <see cref="XaRunWriter"/>'s "&lt;path&gt;.partial", whose frames are those wholly on disk so far.
/// <see cref="Refresh"/> takes in new frames and, once the writer has renamed the file, reopens the completed object.
/// Only the frame asked for is read and decoded (RLE per PS3.5 Annex G) into the caller's buffer. Damaged files raise
/// <see cref="DicomFormatException"/>. Not thread-safe.
/// </summary>
public sealed class XaRunReader : IDisposable
{
    private readonly string _path;
    private DicomFileReader _reader;
    private bool _onPartial;

    private XaRunReader(string path, DicomFileReader reader, bool onPartial)
    {
        _path = path;
        _reader = reader;
        _onPartial = onPartial;
    }

    /// <summary>Opens the run stored (or being stored) at <paramref name="path"/>, its final name.</summary>
    /// <exception cref="FileNotFoundException">Neither the object nor its partial file exists.</exception>
    /// <exception cref="DicomFormatException">The file is not a readable multi-frame object.</exception>
    public static XaRunReader Open(string path)
    {
        path = Path.GetFullPath(path);
        // The writer renames the partial file when it completes: look for the final name again after a miss.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (TryOpen(path, growing: false) is { } done) return new XaRunReader(path, done, onPartial: false);
            if (TryOpen(path + XaRunWriter.PartialSuffix, growing: true) is { } partial) return new XaRunReader(path, partial, onPartial: true);
        }
        throw new FileNotFoundException($"no recorded run at {path}", path);
    }

    /// <summary>True while the run is still being recorded (the partial file is read).</summary>
    public bool Recording => _onPartial;

    /// <summary>Frames readable now.</summary>
    public int FrameCount => _reader.FrameCount;

    public DicomFrameFormat FrameFormat => _reader.FrameFormat;

    /// <summary>The object's elements before Pixel Data (while recording, the provisional header).</summary>
    public DicomDataSet DataSet => _reader.DataSet;

    /// <summary>Takes in frames written since; reopens the completed object once the writer has renamed it. Returns the frame count.</summary>
    /// <exception cref="FileNotFoundException">The recorder abandoned the run (deleted its partial file).</exception>
    public int Refresh()
    {
        if (!_onPartial) return FrameCount;
        if (TryOpen(_path, growing: false) is { } done)
        {
            _reader.Dispose();
            _reader = done;
            _onPartial = false;
            return FrameCount;
        }
        if (!File.Exists(_path + XaRunWriter.PartialSuffix) && !File.Exists(_path))
            throw new FileNotFoundException($"the run at {_path} was abandoned while it was recorded (its partial file is gone)", _path);
        return _reader.Refresh();
    }

    /// <summary>Decodes frame <paramref name="index"/> (0-based) into <paramref name="destination"/> (at least
    /// <see cref="DicomFrameFormat.FrameLength"/> bytes). A frame not yet on disk is looked for once more.</summary>
    public void ReadFrame(int index, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (index >= FrameCount) Refresh();
        if (index >= FrameCount) throw new ArgumentOutOfRangeException(nameof(index), index, $"the run has {FrameCount} frames{(Recording ? " so far" : "")}");
        _reader.ReadFrame(index, destination);
    }

    private static DicomFileReader? TryOpen(string path, bool growing)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.RandomAccess);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        try
        {
            return new DicomFileReader(stream, leaveOpen: false, growing);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public void Dispose() => _reader.Dispose();
}
