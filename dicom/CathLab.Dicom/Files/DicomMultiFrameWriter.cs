using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using CathLab.Dicom.Codecs;
using CathLab.Dicom.Data;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Files;

/// <summary>
/// Writes a multi-frame Part 10 file as frames arrive, never holding more than one frame.
/// The header (every element but Pixel Data) is written at creation with Number of Frames reserved as a
/// fixed-width IS; each <see cref="WriteFrame"/> appends one frame (native: a straight copy; RLE or JPEG-LS: one
/// fragment); <see cref="Complete"/> seeks back to fix Number of Frames and the native Pixel Data length,
/// closes the fragment sequence, and flushes to disk. Native pixel data is limited to 4 GiB - 2 bytes.
/// Supported syntaxes: implicit VR LE, explicit VR LE and those of <see cref="DicomFrameCodecs"/>. The stream must be seekable.
/// </summary>
public sealed class DicomMultiFrameWriter : IDisposable
{
    private const int NumberOfFramesWidth = 10; // IS holds at most 12 characters; trailing spaces are allowed padding
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly DicomTransferSyntax _syntax;
    private readonly long _numberOfFramesValueAt;
    private readonly long _pixelLengthAt;
    private readonly long _pixelValueStart;
    private readonly IDicomFrameCodec? _codec;
    private byte[]? _encodeBuffer;
    private bool _completed;

    public DicomMultiFrameWriter(Stream output, DicomDataSet header, DicomTransferSyntax syntax, string? sourceAeTitle = null, bool leaveOpen = false)
    {
        if (!output.CanSeek || !output.CanWrite) throw new ArgumentException("the output must be a writable, seekable stream", nameof(output));
        if (syntax.IsDeflated) throw new NotSupportedException("a deflated file cannot be fixed up after writing; write explicit VR LE and transcode with DicomFileReader.CopyTo");
        _codec = syntax.IsEncapsulated ? DicomFrameCodecs.Find(syntax) ?? throw new NotSupportedException($"no encoder for {syntax.Name}") : null;
        _stream = output;
        _ownsStream = !leaveOpen;
        _syntax = syntax;
        Format = DicomFrameFormat.FromDataSet(header);
        Format.Validate();

        DicomPart10.WriteHeader(output, DicomFileMetaInformation.For(header, syntax, sourceAeTitle));
        var encoding = header.OwnEncoding ?? DicomCharacterSet.Default;
        var encoder = new DicomEncoder(output, syntax.IsExplicitVR, DicomWriteOptions.Default);
        var numberOfFramesWritten = false;
        foreach (var e in header)
        {
            if (e.Tag == DicomTag.PixelData) continue;
            if (e.Tag > DicomTag.PixelData) throw new ArgumentException($"{e.Tag} follows Pixel Data; the header may only hold elements before it");
            if (e.Tag.IsGroupLength && e.Tag.Group > 2) continue;
            if (!numberOfFramesWritten && e.Tag >= DicomTagsCore.NumberOfFrames)
            {
                _numberOfFramesValueAt = WriteNumberOfFramesPlaceholder();
                numberOfFramesWritten = true;
                if (e.Tag == DicomTagsCore.NumberOfFrames) continue;
            }
            encoder.WriteElement(e, encoding);
        }
        if (!numberOfFramesWritten) _numberOfFramesValueAt = WriteNumberOfFramesPlaceholder();

        if (syntax.IsEncapsulated)
        {
            DicomElementHeader.Write(output, DicomTag.PixelData, DicomVR.OB, DicomElementHeader.UndefinedLength, syntax.IsExplicitVR);
            DicomElementHeader.WriteItemHeader(output, DicomTag.Item, 0); // empty Basic Offset Table: one fragment per frame
        }
        else
        {
            var vr = Format.BitsAllocated > 8 ? DicomVR.OW : DicomVR.OB;
            Span<byte> h = stackalloc byte[12];
            var n = DicomElementHeader.Write(h, DicomTag.PixelData, vr, 0, syntax.IsExplicitVR);
            _pixelLengthAt = output.Position + n - 4;
            output.Write(h[..n]);
        }
        _pixelValueStart = output.Position;
    }

    /// <summary>Creates (or replaces) a file and writes its header.</summary>
    public static DicomMultiFrameWriter Create(string path, DicomDataSet header, DicomTransferSyntax syntax, string? sourceAeTitle = null)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 1 << 20);
        try
        {
            return new DicomMultiFrameWriter(stream, header, syntax, sourceAeTitle);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public DicomFrameFormat Format { get; }
    public int FramesWritten { get; private set; }

    /// <summary>Appends one frame: <see cref="DicomFrameFormat.FrameLength"/> bytes, little endian, samples interleaved.</summary>
    public void WriteFrame(ReadOnlySpan<byte> frame)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (frame.Length != Format.FrameLength) throw new ArgumentException($"frame has {frame.Length} bytes; {Format.FrameLength} expected");
        if (_codec is not null)
        {
            _encodeBuffer ??= ArrayPool<byte>.Shared.Rent(_codec.MaxEncodedLength(Format));
            var n = _codec.Encode(frame, Format, _encodeBuffer);
            DicomElementHeader.WriteItemHeader(_stream, DicomTag.Item, (uint)n);
            _stream.Write(_encodeBuffer, 0, n);
        }
        else
        {
            if (_stream.Position - _pixelValueStart + frame.Length > 0xFFFFFFFEL) throw new InvalidOperationException("native pixel data would pass 4 GiB");
            _stream.Write(frame);
        }
        FramesWritten++;
    }

    public async ValueTask WriteFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
    {
        if (_syntax.IsEncapsulated)
        {
            WriteFrame(frame.Span);
            return;
        }
        ObjectDisposedException.ThrowIf(_completed, this);
        if (frame.Length != Format.FrameLength) throw new ArgumentException($"frame has {frame.Length} bytes; {Format.FrameLength} expected");
        await _stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        FramesWritten++;
    }

    /// <summary>Fixes Number of Frames and Pixel Data length, ends the file and flushes it to disk. Returns the file length.</summary>
    public long Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (FramesWritten == 0) throw new InvalidOperationException("no frames were written");
        if (_syntax.IsEncapsulated)
        {
            DicomElementHeader.WriteItemHeader(_stream, DicomTag.SequenceDelimitationItem, 0);
        }
        else
        {
            var length = _stream.Position - _pixelValueStart;
            if ((length & 1) == 1)
            {
                _stream.WriteByte(0);
                length++;
            }
            Span<byte> four = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(four, (uint)length);
            Patch(_pixelLengthAt, four);
        }
        var frames = Encoding.ASCII.GetBytes(FramesWritten.ToString(System.Globalization.CultureInfo.InvariantCulture).PadRight(NumberOfFramesWidth));
        Patch(_numberOfFramesValueAt, frames);
        var end = _stream.Length;
        if (_stream is FileStream fs) fs.Flush(flushToDisk: true);
        else _stream.Flush();
        _completed = true;
        return end;
    }

    private void Patch(long at, ReadOnlySpan<byte> bytes)
    {
        var back = _stream.Position;
        _stream.Position = at;
        _stream.Write(bytes);
        _stream.Position = back;
    }

    private long WriteNumberOfFramesPlaceholder()
    {
        DicomElementHeader.Write(_stream, DicomTagsCore.NumberOfFrames, DicomVR.IS, NumberOfFramesWidth, _syntax.IsExplicitVR);
        var at = _stream.Position;
        Span<byte> value = stackalloc byte[NumberOfFramesWidth];
        value.Fill((byte)' ');
        value[0] = (byte)'0';
        _stream.Write(value);
        return at;
    }

    /// <summary>Releases the stream; a file not completed is left as it is (Number of Frames 0).</summary>
    public void Dispose()
    {
        if (_encodeBuffer is not null) ArrayPool<byte>.Shared.Return(_encodeBuffer);
        _encodeBuffer = null;
        _completed = true;
        if (_ownsStream) _stream.Dispose();
    }
}
