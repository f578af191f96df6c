using CathLab.Testing;
using System.Text.Json;
using CathLab.Dicom.Iods.Xa;
using CathLab.Dicom.IO;
using CathLab.Dicom.Uids;

namespace CathLab.Dicom.Iods.Tests;

public sealed class XaRunWriterTests : IDisposable
{
    private const string ReadBack = """
        import sys, json
        import numpy as np
        import pydicom
        ds = pydicom.dcmread(sys.argv[1])
        arr = ds.pixel_array
        if int(ds.NumberOfFrames) == 1: arr = arr[np.newaxis]
        sums = [int(np.asarray(f, dtype=np.uint64).sum() % (1 << 32)) for f in arr]
        def get(k):
            v = ds.get(k)
            if v is None: return None
            if isinstance(v, pydicom.multival.MultiValue): return [str(x) for x in v]
            return str(v)
        out = {k: get(k) for k in ['NumberOfFrames','FrameTime','FrameTimeVector','CineRate','KVP','ExposureTime','XRayTubeCurrent','ExposureInuAs',
              'AveragePulseWidth','PositionerMotion','PositionerPrimaryAngle','PositionerPrimaryAngleIncrement','RecommendedViewingMode','BitsStored',
              'ContrastBolusAgent','PatientName','Modality','IrradiationEventUID','RadiationSetting','PixelIntensityRelationship']}
        out['FrameIncrementPointer'] = [str(t) for t in (ds.FrameIncrementPointer if isinstance(ds.FrameIncrementPointer, pydicom.multival.MultiValue) else [ds.FrameIncrementPointer])]
        if 'MaskSubtractionSequence' in ds:
            m = ds.MaskSubtractionSequence[0]
            out['MaskOperation'] = m.MaskOperation
            out['MaskFrameNumbers'] = [int(x) for x in (list(m.MaskFrameNumbers) if isinstance(m.MaskFrameNumbers, (list, pydicom.multival.MultiValue)) else [m.MaskFrameNumbers])]
            out['ApplicableFrameRange'] = [int(x) for x in m.ApplicableFrameRange]
            out['MaskSubPixelShift'] = [float(x) for x in m.MaskSubPixelShift] if 'MaskSubPixelShift' in m else None
        out['sums'] = sums
        out['shape'] = list(arr.shape)
        print(json.dumps(out))
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (XaRunSummary Summary, uint[] Sums) WriteRun(string path, XaRunSettings run, int frames, Func<int, XaFrameRecord>? record = null)
    {
        var exam = SampleExam.Context(DicomUidGenerator.NewUid());
        using var writer = XaRunWriter.Create(path, exam, run);
        var buffer = new byte[writer.FrameLength];
        var sums = new uint[frames];
        var bits = run.DetectorBits == 8 ? 8 : 16;
        for (var i = 0; i < frames; i++)
        {
            SampleExam.FillFrame(buffer, run.Rows, i, run.DetectorBits);
            sums[i] = SampleExam.Checksum(buffer, bits);
            writer.WriteFrame(buffer, (record ?? (n => SampleExam.Record(n)))(i));
        }
        return (writer.Complete(), sums);
    }

    private static JsonElement ReadWithPydicom(string path)
    {
        var r = ExternalTool.PythonScript(ReadBack, path);
        Assert.True(r.ExitCode == 0, r.All);
        return JsonDocument.Parse(r.StdOut).RootElement;
    }

    /// <summary>No errors; the only warnings are the two docs/dicom-objects.md explains.</summary>
    internal static void AssertValid(string path)
    {
        var (errors, warnings) = ExternalTool.Dciodvfy(path);
        Assert.True(errors.Length == 0, string.Join('\n', errors));
        var unexplained = warnings.Where(w =>
            !w.StartsWith("Warning - Value is zero for value", StringComparison.Ordinal) || !w.Contains("Angle Increment>", StringComparison.Ordinal))
            .Where(w => !w.Contains("Unrecognized tag", StringComparison.Ordinal)).ToArray();
        Assert.True(unexplained.Length == 0, string.Join('\n', unexplained));
    }

    public static TheoryData<string> Syntaxes => new() { DicomTransferSyntax.ExplicitVRLittleEndian.Uid, DicomTransferSyntax.ImplicitVRLittleEndian.Uid, DicomTransferSyntax.RleLossless.Uid, DicomTransferSyntax.JpegLsLossless.Uid };

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void Cine_run_is_a_valid_XA_and_every_frame_reads_back(string syntaxUid)
    {
        var path = _dir.File("cine.dcm");
        var run = SampleExam.Run(syntax: DicomTransferSyntax.Get(syntaxUid), contrast: new ContrastInjection("Iohexol 350") { VolumeMl = 8 });
        var (summary, sums) = WriteRun(path, run, 8);

        Assert.False(File.Exists(path + XaRunWriter.PartialSuffix));
        AssertValid(path);
        var json = ReadWithPydicom(path);
        Assert.Equal("8", json.GetProperty("NumberOfFrames").GetString());
        Assert.Equal(sums, json.GetProperty("sums").EnumerateArray().Select(e => e.GetUInt32()).ToArray());
        Assert.Equal("66.667", json.GetProperty("FrameTime").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("FrameTimeVector").ValueKind);
        Assert.Equal(["(0018,1063)"], json.GetProperty("FrameIncrementPointer").EnumerateArray().Select(e => e.GetString()!).Select(s => s.Replace(" ", "")).ToArray());
        Assert.Equal("15", json.GetProperty("CineRate").GetString());
        Assert.Equal("78.9", json.GetProperty("KVP").GetString()); // mean of 78,79,80,78,79,80,78,79
        Assert.Equal("Iohexol 350", json.GetProperty("ContrastBolusAgent").GetString());
        Assert.Equal("STATIC", json.GetProperty("PositionerMotion").GetString());
        Assert.Equal("12", json.GetProperty("BitsStored").GetString());
        Assert.Equal(run.IrradiationEventUid, json.GetProperty("IrradiationEventUID").GetString());
        Assert.Equal(8, summary.Frames);
        Assert.Equal(8 * 6.5, summary.TotalExposureTimeMs, 6);
        Assert.Equal(new FileInfo(path).Length, summary.FileLength);

        var dump = ExternalTool.Run("/usr/bin/dcmdump", "+P", "NumberOfFrames", "+P", "SOPClassUID", path);
        Assert.True(dump.ExitCode == 0, dump.All);
        Assert.Contains("[8", dump.StdOut, StringComparison.Ordinal);
        Assert.Contains("XRayAngiographicImageStorage", dump.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void The_detector_calibration_is_named_by_standard_attributes_and_the_object_stays_valid()
    {
        var path = _dir.File("calibrated.dcm");
        var run = SampleExam.Run() with { Calibration = new XaDetectorCalibration(new DateTime(2026, 12, 6, 20, 10, 30), "corrected: cal 1024-14b-20261206T2010Z; offset 20261206T2030Z") };
        WriteRun(path, run, 2);

        AssertValid(path);
        var dump = ExternalTool.Run("/usr/bin/dcmdump", "+P", "DateOfLastCalibration", "+P", "TimeOfLastCalibration", "+P", "AcquisitionDeviceProcessingDescription", path);
        Assert.True(dump.ExitCode == 0, dump.All);
        Assert.Contains("[20261206]", dump.StdOut, StringComparison.Ordinal);
        Assert.Contains("[201030", dump.StdOut, StringComparison.Ordinal);
        Assert.Contains("[corrected: cal 1024-14b-20261206T2010Z; offset 20261206T2030Z]", dump.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Dsa_run_carries_the_mask_module(bool rle)
    {
        var path = _dir.File("dsa.dcm");
        var mask = new DsaMask([1, 2, 3]) { SubPixelShift = (0.25f, -0.5f) };
        var run = SampleExam.Run(syntax: rle ? DicomTransferSyntax.RleLossless : null, mask: mask, contrast: new ContrastInjection("Iodixanol 320"));
        var (_, sums) = WriteRun(path, run, 8);

        AssertValid(path);
        var json = ReadWithPydicom(path);
        Assert.Equal(sums, json.GetProperty("sums").EnumerateArray().Select(e => e.GetUInt32()).ToArray());
        Assert.Equal("AVG_SUB", json.GetProperty("MaskOperation").GetString());
        Assert.Equal([1, 2, 3], json.GetProperty("MaskFrameNumbers").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.Equal([4, 8], json.GetProperty("ApplicableFrameRange").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.Equal([0.25, -0.5], json.GetProperty("MaskSubPixelShift").EnumerateArray().Select(e => e.GetDouble()).ToArray());
        Assert.Equal("SUB", json.GetProperty("RecommendedViewingMode").GetString());
    }

    [Fact]
    public void Varying_intervals_and_a_moving_c_arm_go_to_frame_time_vector_and_angle_increments()
    {
        var path = _dir.File("phases.dcm");
        // Two phases: 4 frames at 250 ms, then 4 at 1000 ms; the C-arm rotates 2 degrees a frame.
        var t = new double[8];
        for (var i = 1; i < 8; i++) t[i] = t[i - 1] + (i < 4 ? 250 : 1000);
        var run = SampleExam.Run(size: 512, bits: 8);
        var (summary, sums) = WriteRun(path, run, 8, i => SampleExam.Record(0) with { Timestamp = SampleExam.Start.AddMinutes(5).AddMilliseconds(t[i]), PrimaryAngleDeg = -20 + 2 * i });

        AssertValid(path);
        var json = ReadWithPydicom(path);
        Assert.Equal(sums, json.GetProperty("sums").EnumerateArray().Select(e => e.GetUInt32()).ToArray());
        Assert.Equal(["0", "250", "250", "250", "1000", "1000", "1000", "1000"], json.GetProperty("FrameTimeVector").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("FrameTime").ValueKind);
        var pointers = json.GetProperty("FrameIncrementPointer").EnumerateArray().Select(e => e.GetString()!.Replace(" ", "")).ToArray();
        Assert.Equal(["(0018,1065)"], pointers);
        Assert.Equal("DYNAMIC", json.GetProperty("PositionerMotion").GetString());
        Assert.Equal("-20", json.GetProperty("PositionerPrimaryAngle").GetString());
        Assert.Equal(["0", "2", "2", "2", "2", "2", "2", "2"], json.GetProperty("PositionerPrimaryAngleIncrement").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal("8", json.GetProperty("BitsStored").GetString());
        Assert.True(summary.FrameTimeVectorUsed);
    }

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void A_run_longer_than_its_reserve_is_still_complete_and_valid(string syntaxUid)
    {
        var path = _dir.File("long.dcm");
        var run = SampleExam.Run(syntax: DicomTransferSyntax.Get(syntaxUid)) with { ExpectedMaxFrames = 1 };
        var (summary, sums) = WriteRun(path, run, 40, i => SampleExam.Record(i, primaryStep: 0.5) with { Timestamp = SampleExam.Start.AddMilliseconds(i * 60 + (i % 2) * 5) });
        AssertValid(path);
        var json = ReadWithPydicom(path);
        Assert.Equal(sums, json.GetProperty("sums").EnumerateArray().Select(e => e.GetUInt32()).ToArray());
        Assert.Equal(40, json.GetProperty("FrameTimeVector").GetArrayLength());
        Assert.Equal(40, summary.Frames);
        Assert.Equal([path], Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Abandoned_run_leaves_no_file()
    {
        var path = _dir.File("abandoned.dcm");
        using (var writer = XaRunWriter.Create(path, SampleExam.Context(DicomUidGenerator.NewUid()), SampleExam.Run()))
        {
            var frame = new byte[writer.FrameLength];
            writer.WriteFrame(frame, SampleExam.Record(0));
            Assert.True(File.Exists(writer.PartialPath));
            Assert.False(File.Exists(path));
            writer.Abandon();
            Assert.Throws<InvalidOperationException>(() => writer.WriteFrame(frame, SampleExam.Record(1)));
            Assert.Throws<InvalidOperationException>(() => writer.Complete());
        }
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Disposing_without_completing_abandons()
    {
        var path = _dir.File("crash.dcm");
        using (var writer = XaRunWriter.Create(path, SampleExam.Context(DicomUidGenerator.NewUid()), SampleExam.Run()))
            writer.WriteFrame(new byte[writer.FrameLength], SampleExam.Record(0));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Bad_frames_are_refused_and_the_run_goes_on()
    {
        var path = _dir.File("bad.dcm");
        using var writer = XaRunWriter.Create(path, SampleExam.Context(DicomUidGenerator.NewUid()), SampleExam.Run());
        var frame = new byte[writer.FrameLength];
        Assert.Throws<ArgumentException>(() => writer.WriteFrame(new byte[10], SampleExam.Record(0)));
        writer.WriteFrame(frame, SampleExam.Record(1));
        Assert.Throws<ArgumentException>(() => writer.WriteFrame(frame, SampleExam.Record(0))); // time runs backwards
        Assert.Throws<ArgumentException>(() => writer.WriteFrame(frame, SampleExam.Record(2) with { Kvp = 0 }));
        Assert.Throws<ArgumentException>(() => writer.WriteFrame(frame, SampleExam.Record(2) with { SecondaryAngleDeg = double.NaN }));
        writer.WriteFrame(frame, SampleExam.Record(2));
        var summary = writer.Complete();
        Assert.Equal(2, summary.Frames);
        AssertValid(path);
    }

    [Fact]
    public void Completing_an_empty_run_or_a_mask_past_the_end_fails_and_leaves_nothing()
    {
        var exam = SampleExam.Context(DicomUidGenerator.NewUid());
        using (var empty = XaRunWriter.Create(_dir.File("empty.dcm"), exam, SampleExam.Run()))
            Assert.Throws<InvalidOperationException>(() => empty.Complete());
        using (var dsa = XaRunWriter.Create(_dir.File("mask.dcm"), exam, SampleExam.Run(mask: new DsaMask([1, 2]))))
        {
            dsa.WriteFrame(new byte[dsa.FrameLength], SampleExam.Record(0));
            dsa.WriteFrame(new byte[dsa.FrameLength], SampleExam.Record(1));
            Assert.Throws<InvalidOperationException>(() => dsa.Complete()); // nothing left to subtract from
        }
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Theory]
    [InlineData(700, 12)]
    [InlineData(512, 7)]
    [InlineData(512, 17)]
    public void Unsupported_settings_are_refused(int size, int bits)
    {
        var run = SampleExam.Run(size: 512, bits: 12) with { Rows = size, DetectorBits = bits };
        Assert.Throws<ArgumentException>(() => XaRunWriter.Create(_dir.File("x.dcm"), SampleExam.Context(DicomUidGenerator.NewUid()), run));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void An_existing_object_is_never_overwritten()
    {
        var path = _dir.File("stored.dcm");
        File.WriteAllText(path, "stored");
        Assert.Throws<IOException>(() => XaRunWriter.Create(path, SampleExam.Context(DicomUidGenerator.NewUid()), SampleExam.Run()));
        Assert.Equal("stored", File.ReadAllText(path));
    }

    [Theory]
    [InlineData(10, "10")]
    [InlineData(14, "16")]
    [InlineData(11, "12")]
    public void Detector_bits_map_to_xa_bits_stored(int detectorBits, string expected)
    {
        var path = _dir.File($"bits{detectorBits}.dcm");
        WriteRun(path, SampleExam.Run(bits: detectorBits), 2);
        AssertValid(path);
        Assert.Equal(expected, ReadWithPydicom(path).GetProperty("BitsStored").GetString());
    }
}
