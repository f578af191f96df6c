using BenchmarkDotNet.Attributes;
using CathLab.Dicom.Data;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Uids;

namespace CathLab.Dicom.Bench;

/// <summary>
/// Streaming a cine run of 2 MiB frames (1024 x 1024, 16 bit) to and from disk, against the bound of the
/// same bytes through a bare FileStream (write + fsync, positioned read).
/// </summary>

[MemoryDiagnoser]
public class FrameFileBenchmarks
{
    private const int Rows = 1024, Columns = 1024, Frames = 32;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cathlab-dicom-bench");
    private byte[] _frame = [];
    private DicomDataSet _header = new();
    private string _readPath = "";
    private DicomFileReader? _reader;
    private FileStream? _raw;

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_dir);
        _frame = new byte[Rows * Columns * 2];
        new Random(1).NextBytes(_frame);
        _header = new DicomDataSet()
            .SetString(new DicomTag(0x0008, 0x0016), DicomUids.XRayAngiographicImageStorage)
            .SetString(new DicomTag(0x0008, 0x0018), DicomUidGenerator.NewUid())
            .SetInt(new DicomTag(0x0028, 0x0002), 1)
            .SetString(new DicomTag(0x0028, 0x0004), "MONOCHROME2")
            .SetInt(new DicomTag(0x0028, 0x0010), Rows)
            .SetInt(new DicomTag(0x0028, 0x0011), Columns)
            .SetInt(new DicomTag(0x0028, 0x0100), 16)
            .SetInt(new DicomTag(0x0028, 0x0101), 12)
            .SetInt(new DicomTag(0x0028, 0x0102), 11)
            .SetInt(new DicomTag(0x0028, 0x0103), 0);
        _readPath = Path.Combine(_dir, "read.dcm");
        using (var w = DicomMultiFrameWriter.Create(_readPath, _header, DicomTransferSyntax.ExplicitVRLittleEndian))
        {
            for (var i = 0; i < Frames; i++) w.WriteFrame(_frame);
            w.Complete();
        }
        _reader = DicomFileReader.Open(_readPath);
        _raw = new FileStream(_readPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.RandomAccess);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reader?.Dispose();
        _raw?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "bound: FileStream write 32 x 2 MiB + fsync")]
    [BenchmarkCategory("write")]
    public long RawWrite()
    {
        using var fs = new FileStream(Path.Combine(_dir, "raw.bin"), FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 1 << 20);
        for (var i = 0; i < Frames; i++) fs.Write(_frame);
        fs.Flush(flushToDisk: true);
        return fs.Length;
    }

    [Benchmark(Description = "DicomMultiFrameWriter 32 x 2 MiB, explicit VR LE, Complete (fsync)")]
    [BenchmarkCategory("write")]
    public long StreamingWrite()
    {
        using var w = DicomMultiFrameWriter.Create(Path.Combine(_dir, "w.dcm"), _header, DicomTransferSyntax.ExplicitVRLittleEndian);
        for (var i = 0; i < Frames; i++) w.WriteFrame(_frame);
        return w.Complete();
    }

    [Benchmark(Description = "bound: FileStream positioned read 32 x 2 MiB")]
    [BenchmarkCategory("read")]
    public int RawRead()
    {
        var sum = 0;
        var offset = _reader!.PixelDataOffset;
        for (var i = 0; i < Frames; i++)
        {
            _raw!.Position = offset + (long)i * _frame.Length;
            _raw.ReadExactly(_frame);
            sum += _frame[0];
        }
        return sum;
    }

    [Benchmark(Description = "DicomFileReader.ReadFrame 32 x 2 MiB")]
    [BenchmarkCategory("read")]
    public int StreamingRead()
    {
        var sum = 0;
        for (var i = 0; i < Frames; i++)
        {
            _reader!.ReadFrame(i, _frame);
            sum += _frame[0];
        }
        return sum;
    }
}
