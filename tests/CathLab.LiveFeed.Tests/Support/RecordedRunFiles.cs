using System.Runtime.InteropServices;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.Xa;
using CathLab.Dicom.IO;
using CathLab.Dicom.Uids;
using CathLab.LiveFeed.Review;

namespace CathLab.LiveFeed.Tests.Support;

/// <summary>Recorded runs written by the recorder's own writer (<see cref="XaRunWriter"/>) in a temporary spool, with
/// pixels the tests can recompute, and the catalog that lists them.</summary>
internal sealed class RecordedRunFiles : IRecordedRunCatalog, IDisposable
{
    public const int Size = 512;
    public const int Bits = 14;
    /// <summary>Bits Stored of the objects: the recorder stores processed frames in all 16 bits.</summary>
    public const int StoredBits = 16;
    /// <summary>The mask frames of a DSA run written here (1-based), as the recorder writes them: the first frames.</summary>
    public static readonly int[] DsaMaskFrames = [1, 2];
    private readonly List<RecordedRunEntry> _runs = [];
    private readonly string _spool = Path.Combine(Path.GetTempPath(), "cathlab-review-" + Guid.NewGuid().ToString("N"));

    public RecordedRunFiles() => Directory.CreateDirectory(_spool);

    public IReadOnlyList<RecordedRunEntry> RunsOf(string examId)
    {
        if (examId != LiveFeedTestServer.Exam) return [];
        lock (_runs) return [.. _runs];
    }

    /// <summary>Frame <paramref name="index"/> (0-based) of run <paramref name="run"/>: a gradient that moves per frame.</summary>
    public static ushort[] Pixels(int run, int index)
    {
        var px = new ushort[Size * Size];
        int max = (1 << Bits) - 1;
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++) px[y * Size + x] = (ushort)((x * 7 + y * 3 + index * 41 + run * 1000 + (x / 16) * (y / 16)) & max);
        return px;
    }

    /// <summary>Frame <paramref name="index"/> (0-based) of DSA run <paramref name="run"/> as its viewer shows it: minus the
    /// mask frames' rounded average, offset to mid-range (PS3.3 C.7.6.10 AVG_SUB); the mask frames as stored.</summary>
    public static ushort[] Subtracted(int run, int index)
    {
        var frame = Pixels(run, index);
        if (index < DsaMaskFrames.Max()) return frame;
        var masks = DsaMaskFrames.Select(f => Pixels(run, f - 1)).ToArray();
        int offset = 1 << (StoredBits - 1), max = (1 << StoredBits) - 1, n = masks.Length;
        return [.. frame.Select((v, i) => (ushort)Math.Clamp(v - (masks.Sum(m => m[i]) + n / 2) / n + offset, 0, max))];
    }

    /// <summary>Starts recording run <paramref name="number"/>; it is listed (as recording) from now on.</summary>
    public XaRunWriter Begin(int number, DicomTransferSyntax syntax, double rate = 15, bool dsa = false, double? kerma = null)
    {
        var path = Path.Combine(_spool, $"run-{number}.dcm");
        var writer = XaRunWriter.Create(path, Exam(), new XaRunSettings
        {
            SopInstanceUid = DicomUidGenerator.NewUid(),
            InstanceNumber = number,
            AcquisitionStartedAt = DateTime.Now,
            Rows = Size,
            Columns = Size,
            DetectorBits = Bits,
            NominalFrameTimeMs = 1000.0 / rate,
            FieldSizeMm = 250,
            DistanceSourceToDetectorMm = 1100,
            IrradiationEventUid = DicomUidGenerator.NewUid(),
            TransferSyntax = syntax,
            ExpectedMaxFrames = 256,
            Mask = dsa ? new DsaMask(DsaMaskFrames) : null,
        });
        lock (_runs) _runs.Add(new RecordedRunEntry($"RUN-{number}", number, dsa ? "Peripheral DSA" : "Coronary cine", dsa ? "dsa" : "cine", path, rate,
            DateTimeOffset.Now, dsa, Recording: true, kerma, kerma / 1000 * 625));
        return writer;
    }

    public static void Write(XaRunWriter writer, int run, int from, int count)
    {
        for (int i = from; i < from + count; i++)
            writer.WriteFrame(MemoryMarshal.AsBytes(Pixels(run, i).AsSpan()), new XaFrameRecord(DateTime.Now.AddMilliseconds(i * 33), 80, 400, 6.5, 30, 20));
    }

    /// <summary>A completed run of <paramref name="frames"/> frames.</summary>
    public string Record(int number, int frames, DicomTransferSyntax syntax, double rate = 15, bool dsa = false, double? kerma = null)
    {
        using var writer = Begin(number, syntax, rate, dsa, kerma);
        Write(writer, number, 0, frames);
        Completed(number, writer);
        return writer.Path;
    }

    public void Completed(int number, XaRunWriter writer)
    {
        writer.Complete();
        lock (_runs)
        {
            int i = _runs.FindIndex(r => r.Number == number);
            _runs[i] = _runs[i] with { Recording = false };
        }
    }

    /// <summary>A run whose object is listed but not a readable run (a damaged file).</summary>
    public string Damaged(int number, Func<byte[], byte[]> damage)
    {
        var path = Record(number, 4, DicomTransferSyntax.RleLossless);
        File.WriteAllBytes(path, damage(File.ReadAllBytes(path)));
        return path;
    }

    private static ExamContext Exam() => new(
        new PatientInfo("Doe^Jane", "PID-0042", new DateOnly(1961, 3, 14), "F"),
        new StudyInfo(DicomUidGenerator.NewUid(), DateTime.Now),
        new SeriesInfo(DicomUidGenerator.NewUid(), 1) { Description = "review test" },
        new EquipmentInfo("CathLab One", "LAB1", "cathlab 0.1", "SN-0001", "2.25.118829112347238917243128744"));

    public void Dispose()
    {
        try { Directory.Delete(_spool, recursive: true); } catch (IOException) { }
    }
}
