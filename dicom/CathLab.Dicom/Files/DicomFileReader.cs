using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using CathLab.Dicom.Codecs;
using CathLab.Dicom.Data;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Files;

/// <summary>
/// Reads a Part 10 file without loading its pixels: <see cref="DataSet"/> holds every element before Pixel Data;
/// frames are read one at a time, by offset (native) or by fragment (encapsulated; RLE and JPEG-LS are decoded).
/// <see cref="CopyTo"/> streams the data set, in this or another transfer syntax, to a stream in chunks.
/// A deflated file cannot be read by offset, so its data set (pixels included) is inflated into memory.
/// Not thread-safe: one reader per thread.
/// Opened as <c>growing</c>, the file may still be being written by <see cref="DicomMultiFrameWriter"/> (Number of Frames
/// and the native Pixel Data length not yet patched, no sequence delimiter yet): its frames are those wholly on disk,
/// and <see cref="Refresh"/> takes in the ones appended since.
/// </summary>
public sealed class DicomFileReader : IDisposable
{
    private const int CopyChunk = 1 << 20;
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly List<(long Offset, uint Length)> _fragments = [];
    private readonly List<uint> _offsetTable = [];
    private readonly DicomElement? _inMemoryPixels;
    private (int First, int Count)[]? _frameMap;
    private readonly bool _growing;
    private long _scanFrom = -1;
    private bool _offsetTableRead;

    public DicomFileReader(Stream input, bool leaveOpen = false) : this(input, leaveOpen, growing: false)
    {
    }

    /// <param name="growing">The file may still be being written: read the frames on disk so far, without an error for what is missing.</param>
    public DicomFileReader(Stream input, bool leaveOpen, bool growing)
    {
        _growing = growing;
        if (!input.CanSeek) throw new ArgumentException("the input must be seekable", nameof(input));
        _stream = input;
        _ownsStream = !leaveOpen;
        try
        {
            Meta = DicomPart10.ReadHeader(input);
            TransferSyntax = Meta.TransferSyntax;
            if (TransferSyntax.IsDeflated)
            {
                var full = DicomDataSetReader.Read(input, TransferSyntax);
                if (full.TryGet(DicomTag.PixelData, out var px))
                {
                    _inMemoryPixels = px;
                    full.Remove(DicomTag.PixelData);
                    HasPixelData = true;
                }
                DataSet = full;
            }
            else
            {
                DataSet = DicomDataSetReader.Read(input, TransferSyntax, new DicomReadOptions { StopAtTag = DicomTag.PixelData });
                HasPixelData = ReadPixelDataHeader();
            }
            try
            {
                FrameCount = HasPixelData ? Math.Max(1, DataSet.GetIntOrDefault(DicomTagsCore.NumberOfFrames, 1)) : 0;
                if (HasPixelData)
                {
                    FrameFormat.Validate();
                    if (!IsComplete) FrameCount = FramesOnDisk();
                    else if (_inMemoryPixels is null && !TransferSyntax.IsEncapsulated)
                    {
                        var needed = (long)FrameFormat.FrameLength * FrameCount;
                        if (PixelDataLength < needed)
                            throw new DicomFormatException($"Pixel Data holds {PixelDataLength} bytes; {FrameCount} frames of {FrameFormat.FrameLength} need {needed}");
                    }
                    if (TransferSyntax.IsEncapsulated && _inMemoryPixels is null && FrameCount > 0) FrameMap();
                }
            }
            catch (Exception e) when (DicomFormatException.IsMalformedInput(e))
            {
                throw new DicomFormatException($"the image pixel attributes are unusable: {e.Message}", e);
            }
        }
        catch (Exception e) when (DicomFormatException.IsMalformedInput(e))
        {
            throw new DicomFormatException($"malformed Part 10 file: {e.Message}", e);
        }
    }

    public static DicomFileReader Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.RandomAccess);
        try
        {
            return new DicomFileReader(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public DicomFileMetaInformation Meta { get; }
    public DicomTransferSyntax TransferSyntax { get; }

    /// <summary>Every element before Pixel Data (elements after it, such as trailing padding, are not read).</summary>
    public DicomDataSet DataSet { get; }

    public bool HasPixelData { get; }
    public int FrameCount { get; private set; }

    /// <summary>False while a growing file's pixel data is unfinished (no delimiter, or a native length not yet written).</summary>
    public bool IsComplete { get; private set; } = true;

    /// <summary>Growing file: takes in the frames appended since it was opened or last refreshed; returns the frame count.
    /// The data set is not read again (a writer's final header is read by opening the completed file).</summary>
    public int Refresh()
    {
        if (IsComplete || !HasPixelData) return FrameCount;
        try
        {
            if (TransferSyntax.IsEncapsulated)
            {
                _stream.Position = _scanFrom;
                ScanFragments();
            }
            else
            {
                PixelDataLength = _stream.Length - PixelDataOffset;
            }
            FrameCount = FramesOnDisk();
            _frameMap = null;
            return FrameCount;
        }
        catch (Exception e) when (DicomFormatException.IsMalformedInput(e))
        {
            throw new DicomFormatException($"malformed Part 10 file: {e.Message}", e);
        }
    }

    /// <summary>Frames wholly on disk in an unfinished file: native bytes over the frame length, or one fragment per frame
    /// (how <see cref="DicomMultiFrameWriter"/> writes RLE, with an empty Basic Offset Table).</summary>
    private int FramesOnDisk()
    {
        if (!TransferSyntax.IsEncapsulated) return checked((int)(PixelDataLength / FrameFormat.FrameLength));
        if (_offsetTable.Count > 0) throw new DicomFormatException("an unfinished encapsulated file with a Basic Offset Table cannot be read frame by frame");
        return _fragments.Count;
    }
    public DicomFrameFormat FrameFormat => _format ??= DicomFrameFormat.FromDataSet(DataSet);
    private DicomFrameFormat? _format;

    /// <summary>VR of Pixel Data as stored (OB or OW).</summary>
    public DicomVR PixelDataVR { get; private set; } = DicomVR.OW;

    /// <summary>File offset of the first byte of native pixel data (-1 when encapsulated or deflated).</summary>
    public long PixelDataOffset { get; private set; } = -1;

    /// <summary>Length of native pixel data as declared.</summary>
    public long PixelDataLength { get; private set; }

    /// <summary>Number of encapsulated fragments (Basic Offset Table excluded).</summary>
    public int FragmentCount => _fragments.Count;

    /// <summary>Reads frame <paramref name="index"/> in native form (little endian, samples interleaved) into <paramref name="destination"/>.</summary>
    public void ReadFrame(int index, Span<byte> destination)
    {
        var format = FrameFormat;
        if (!HasPixelData) throw new InvalidOperationException("the file has no pixel data");
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, FrameCount);
        if (destination.Length < format.FrameLength) throw new ArgumentException($"destination has {destination.Length} bytes; {format.FrameLength} needed");
        destination = destination[..format.FrameLength];
        if (_inMemoryPixels is not null)
        {
            ReadInMemoryFrame(index, format, destination);
            return;
        }
        if (!TransferSyntax.IsEncapsulated)
        {
            _stream.Position = PixelDataOffset + (long)index * format.FrameLength;
            _stream.ReadExactly(destination);
            return;
        }
        var codec = DicomFrameCodecs.Find(TransferSyntax) ?? throw new NotSupportedException($"no decoder for {TransferSyntax.Name}");
        var encodedLength = EncodedFrameLength(index);
        codec.CheckEncodedLength(format, encodedLength);
        var rented = ArrayPool<byte>.Shared.Rent(encodedLength);
        try
        {
            var n = ReadEncodedFrame(index, rented);
            codec.Decode(rented.AsSpan(0, n), format, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Frame <paramref name="index"/> in a pooled buffer; dispose the owner to return it. Its Memory is exactly one frame long.</summary>
    public IMemoryOwner<byte> RentFrame(int index)
    {
        if (TransferSyntax.IsEncapsulated && _inMemoryPixels is null && index >= 0 && index < FrameCount && DicomFrameCodecs.Find(TransferSyntax) is { } codec)
            codec.CheckEncodedLength(FrameFormat, EncodedFrameLength(index));
        var owner = new PooledFrame(FrameFormat.FrameLength);
        try
        {
            ReadFrame(index, owner.Memory.Span);
            return owner;
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    /// <summary>Bytes of frame <paramref name="index"/> as stored in an encapsulated file (its fragments' values together).</summary>
    public int EncodedFrameLength(int index)
    {
        var (first, count) = FrameMap()[index];
        long total = 0;
        for (var i = first; i < first + count; i++) total += _fragments[i].Length;
        return checked((int)total);
    }

    /// <summary>Copies the stored (encoded) bytes of frame <paramref name="index"/> of an encapsulated file; returns the count.</summary>
    public int ReadEncodedFrame(int index, Span<byte> destination)
    {
        if (!TransferSyntax.IsEncapsulated || _inMemoryPixels is not null) throw new InvalidOperationException("pixel data is not encapsulated on disk");
        var (first, count) = FrameMap()[index];
        var pos = 0;
        for (var i = first; i < first + count; i++)
        {
            var (offset, length) = _fragments[i];
            _stream.Position = offset;
            _stream.ReadExactly(destination.Slice(pos, (int)length));
            pos += (int)length;
        }
        return pos;
    }

    /// <summary>
    /// Writes the data set (no File Meta Information) in <paramref name="target"/> syntax to <paramref name="destination"/>,
    /// pixel data a chunk or a frame at a time: native to native and a syntax to itself are copies; otherwise each frame is
    /// decoded (when the source is encapsulated) and encoded (when the target is) with the codecs of <see cref="DicomFrameCodecs"/>.
    /// </summary>
    public void CopyTo(Stream destination, DicomTransferSyntax target, DicomWriteOptions? options = null)
    {
        options ??= DicomWriteOptions.Default;
        if (target.IsDeflated)
        {
            using var deflater = new DeflateStream(destination, options.DeflateLevel, leaveOpen: true);
            using var buffered = new BufferedStream(deflater, CopyChunk);
            CopyPlain(buffered, DicomTransferSyntax.ExplicitVRLittleEndian, options); // the deflater above does the deflating
            buffered.Flush();
            return;
        }
        CopyPlain(destination, target, options);
    }

    /// <summary>Writes a whole Part 10 file in <paramref name="target"/> syntax (header, then <see cref="CopyTo"/>).</summary>
    public void CopyFileTo(Stream destination, DicomTransferSyntax target, DicomWriteOptions? options = null)
    {
        DicomPart10.WriteHeader(destination, Meta with { TransferSyntaxUid = target.Uid });
        CopyTo(destination, target, options);
    }

    private void CopyPlain(Stream output, DicomTransferSyntax target, DicomWriteOptions options)
    {
        var source = TransferSyntax;
        var sameEncoding = source.Uid == target.Uid || (!source.IsEncapsulated && !target.IsEncapsulated);
        var encoder = target.IsEncapsulated && !sameEncoding ? DicomFrameCodecs.Find(target) : null;
        if (target.IsEncapsulated && !sameEncoding && encoder is null)
            throw new NotSupportedException($"no encoder for {target.Name}");
        if (source.IsEncapsulated && !sameEncoding && HasPixelData && !DicomFrameCodecs.CanDecode(source))
            throw new NotSupportedException($"no decoder for {source.Name}");
        DicomDataSetWriter.Write(output, DataSet, target, options);
        if (!HasPixelData) return;

        if (_inMemoryPixels is not null)
        {
            var px = _inMemoryPixels;
            if (encoder is not null && px is DicomBinaryElement native) px = PixelDataFrames.Encode(encoder, native, FrameFormat, FrameCount);
            DicomDataSetWriter.WriteElement(output, px, target, null, options);
            return;
        }
        var format = FrameFormat;
        if (!source.IsEncapsulated && !target.IsEncapsulated)
        {
            DicomElementHeader.Write(output, DicomTag.PixelData, PixelDataVR, checked((uint)PixelDataLength), target.IsExplicitVR);
            CopyRange(PixelDataOffset, PixelDataLength, output);
        }
        else if (sameEncoding)
        {
            DicomElementHeader.Write(output, DicomTag.PixelData, DicomVR.OB, DicomElementHeader.UndefinedLength, target.IsExplicitVR);
            DicomElementHeader.WriteItemHeader(output, DicomTag.Item, (uint)(_offsetTable.Count * 4));
            Span<byte> four = stackalloc byte[4];
            foreach (var o in _offsetTable)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(four, o);
                output.Write(four);
            }
            foreach (var (offset, length) in _fragments)
            {
                DicomElementHeader.WriteItemHeader(output, DicomTag.Item, length);
                CopyRange(offset, length, output);
            }
            DicomElementHeader.WriteItemHeader(output, DicomTag.SequenceDelimitationItem, 0);
        }
        else if (!target.IsEncapsulated)
        {
            var total = (long)format.FrameLength * FrameCount;
            DicomElementHeader.Write(output, DicomTag.PixelData, format.BitsAllocated > 8 ? DicomVR.OW : DicomVR.OB, checked((uint)(total + (total & 1))), target.IsExplicitVR);
            using var frame = RentFrame(0);
            for (var i = 0; i < FrameCount; i++)
            {
                ReadFrame(i, frame.Memory.Span);
                output.Write(frame.Memory.Span);
            }
            if ((total & 1) == 1) output.WriteByte(0);
        }
        else
        {
            DicomElementHeader.Write(output, DicomTag.PixelData, DicomVR.OB, DicomElementHeader.UndefinedLength, target.IsExplicitVR);
            DicomElementHeader.WriteItemHeader(output, DicomTag.Item, 0);
            var codec = encoder!;
            var encoded = ArrayPool<byte>.Shared.Rent(codec.MaxEncodedLength(format));
            try
            {
                using var frame = RentFrame(0);
                for (var i = 0; i < FrameCount; i++)
                {
                    ReadFrame(i, frame.Memory.Span);
                    var n = codec.Encode(frame.Memory.Span, format, encoded);
                    DicomElementHeader.WriteItemHeader(output, DicomTag.Item, (uint)n);
                    output.Write(encoded, 0, n);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(encoded);
            }
            DicomElementHeader.WriteItemHeader(output, DicomTag.SequenceDelimitationItem, 0);
        }
    }

    private void CopyRange(long offset, long length, Stream output)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(CopyChunk, Math.Max(length, 1)));
        try
        {
            _stream.Position = offset;
            while (length > 0)
            {
                var n = (int)Math.Min(length, buffer.Length);
                _stream.ReadExactly(buffer, 0, n);
                output.Write(buffer, 0, n);
                length -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReadInMemoryFrame(int index, DicomFrameFormat format, Span<byte> destination)
    {
        switch (_inMemoryPixels)
        {
            case DicomBinaryElement native:
                if (native.Data.Length < (long)(index + 1) * format.FrameLength) throw new DicomFormatException("Pixel Data is shorter than its frames");
                native.Data.Span.Slice(index * format.FrameLength, format.FrameLength).CopyTo(destination);
                break;
            case DicomFragmentSequence:
                throw new NotSupportedException("encapsulated pixel data inside a deflated file");
        }
    }

    private (int First, int Count)[] FrameMap() =>
        _frameMap ??= FrameFragments.Map(_offsetTable, _fragments.Select(f => (long)f.Length).ToList(), FrameCount);

    private bool ReadPixelDataHeader()
    {
        Span<byte> h = stackalloc byte[12];
        var start = _stream.Position;
        var got = _stream.ReadAtLeast(h[..8], 8, throwOnEndOfStream: false);
        if (got < 8) return false;
        var tag = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(h), BinaryPrimitives.ReadUInt16LittleEndian(h[2..]));
        if (tag != DicomTag.PixelData) return false;
        uint length;
        if (TransferSyntax.IsExplicitVR)
        {
            if (!DicomVRInfo.TryParse(h[4], h[5], out var vr) || vr is not (DicomVR.OB or DicomVR.OW))
                throw new DicomFormatException("Pixel Data VR is not OB or OW") { Offset = start };
            PixelDataVR = vr;
            _stream.ReadExactly(h.Slice(8, 4));
            length = BinaryPrimitives.ReadUInt32LittleEndian(h[8..]);
        }
        else
        {
            length = BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
        }
        var remaining = _stream.Length - _stream.Position;
        if (length != DicomElementHeader.UndefinedLength)
        {
            if (TransferSyntax.IsEncapsulated) throw new DicomFormatException("encapsulated Pixel Data has a defined length") { Offset = start };
            if (_growing && (length == 0 || length > remaining))
            {
                // The writer patches the length at completion; until then the frames are what is on disk.
                PixelDataOffset = _stream.Position;
                PixelDataLength = remaining;
                IsComplete = false;
                return true;
            }
            if (length > remaining) throw new DicomFormatException($"Pixel Data length {length} exceeds the {remaining} bytes left") { Offset = start };
            PixelDataOffset = _stream.Position;
            PixelDataLength = length;
            return true;
        }
        if (!TransferSyntax.IsEncapsulated) throw new DicomFormatException("native Pixel Data has undefined length") { Offset = start };
        ScanFragments();
        return true;
    }

    private void ScanFragments()
    {
        Span<byte> h = stackalloc byte[8];
        var first = !_offsetTableRead;
        while (true)
        {
            var at = _stream.Position;
            if (_stream.ReadAtLeast(h, 8, throwOnEndOfStream: false) < 8)
            {
                if (StopAtUnfinished(at)) return;
                throw new DicomFormatException("encapsulated Pixel Data ends without a sequence delimiter") { Offset = at };
            }
            var tag = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(h), BinaryPrimitives.ReadUInt16LittleEndian(h[2..]));
            var length = BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
            if (tag == DicomTag.SequenceDelimitationItem)
            {
                IsComplete = true;
                return;
            }
            if (tag != DicomTag.Item) throw new DicomFormatException($"expected a fragment item, found {tag}") { Offset = at };
            var remaining = _stream.Length - _stream.Position;
            if (length > remaining && StopAtUnfinished(at)) return;
            if (length > remaining) throw new DicomFormatException($"fragment length {length} exceeds the {remaining} bytes left") { Offset = at };
            if (first)
            {
                first = false;
                _offsetTableRead = true;
                if (length % 4 != 0) throw new DicomFormatException("Basic Offset Table length is not a multiple of 4") { Offset = at };
                var table = new byte[length];
                _stream.ReadExactly(table);
                for (var i = 0; i < table.Length; i += 4) _offsetTable.Add(BinaryPrimitives.ReadUInt32LittleEndian(table.AsSpan(i)));
                continue;
            }
            _fragments.Add((_stream.Position, length));
            _stream.Seek(length, SeekOrigin.Current);
        }
    }

    /// <summary>Growing file: the item at <paramref name="at"/> is not wholly on disk yet; the next refresh scans from there.</summary>
    private bool StopAtUnfinished(long at)
    {
        if (!_growing) return false;
        _scanFrom = at;
        IsComplete = false;
        return true;
    }

    public void Dispose()
    {
        if (_ownsStream) _stream.Dispose();
    }

    private sealed class PooledFrame(int length) : IMemoryOwner<byte>
    {
        private byte[]? _array = ArrayPool<byte>.Shared.Rent(length);

        public Memory<byte> Memory => _array is { } a ? a.AsMemory(0, length) : throw new ObjectDisposedException(nameof(PooledFrame));

        public void Dispose()
        {
            if (_array is { } a) ArrayPool<byte>.Shared.Return(a);
            _array = null;
        }
    }
}
