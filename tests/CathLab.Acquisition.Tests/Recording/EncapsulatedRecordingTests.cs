using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Recording;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Testing;

namespace CathLab.Acquisition.Tests.Recording;

/// <summary>Runs recorded in JPEG-LS Lossless (the station's default) or RLE Lossless (encapsulated, one fragment per frame):
/// what lets a run pass the 4 GiB that uncompressed pixel data can hold. Read back by our reader, pydicom and dciodvfy, and
/// remasked in the same syntax.</summary>
public sealed class EncapsulatedRecordingTests : IDisposable
{
    private readonly TempDirectory _spool = new();

    public void Dispose() => _spool.Dispose();

    public static TheoryData<string> Syntaxes => new() { DicomTransferSyntax.JpegLsLossless.Uid, DicomTransferSyntax.RleLossless.Uid };

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public async Task A_run_recorded_encapsulated_reads_back_frame_for_frame_in_pydicom_and_is_clean_in_dciodvfy(string syntaxUid)
    {
        var syntax = DicomTransferSyntax.Get(syntaxUid);
        await using var h = new RecorderHarness(_spool.Path, syntax: syntax);
        var request = RecordingSamples.Request(RecordingSamples.Cine);
        h.Recorder.Begin(request);
        for (uint id = 11; id <= 18; id++) h.Pulse(id);
        var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 8));
        Assert.True(outcome.Stored, outcome.Failure);
        var path = outcome.Run!.Image.Path;

        using (var reader = DicomFileReader.Open(path))
        {
            Assert.Equal(syntax.Uid, reader.TransferSyntax.Uid);
            Assert.Equal(8, reader.FrameCount);
            Assert.Equal(8, reader.FragmentCount);
            var frame = new byte[reader.FrameFormat.FrameLength];
            for (int f = 0; f < 8; f++)
            {
                reader.ReadFrame(f, frame);
                var pixels = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(frame);
                for (int i = 0; i < pixels.Length; i += 997) Assert.Equal((ushort)((11 + f + i % RecorderHarness.Size) & 0xFFF), pixels[i]);
            }
        }
        var read = PydicomReadBack.Read(path);
        Assert.Equal("8", read.GetProperty("NumberOfFrames").GetString());
        var sums = read.GetProperty("sums").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        for (int f = 0; f < 8; f++) Assert.Equal(ExpectedSum((uint)(11 + f)), sums[f]);
        Assert.Empty(ExternalTool.Dciodvfy(path).Errors);
    }

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public async Task A_DSA_run_is_remasked_in_its_own_syntax_with_the_same_pixels(string syntaxUid)
    {
        var syntax = DicomTransferSyntax.Get(syntaxUid);
        await using var h = new RecorderHarness(_spool.Path, syntax: syntax);
        var request = RecordingSamples.Request(RecordingSamples.Dsa(maskFrames: 2));
        h.Recorder.Begin(request);
        for (uint id = 1; id <= 6; id++) h.Pulse(id);
        var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 6));
        Assert.True(outcome.Stored, outcome.Failure);

        var remasked = RunRemasker.Remask(outcome.Run!.Image.Path, [3, 4], _spool.Path, instanceNumber: 2);
        using var original = DicomFileReader.Open(outcome.Run.Image.Path);
        using var reader = DicomFileReader.Open(remasked.Path);
        Assert.Equal(syntax.Uid, reader.TransferSyntax.Uid);
        var a = new byte[original.FrameFormat.FrameLength];
        var b = new byte[reader.FrameFormat.FrameLength];
        for (int f = 0; f < 6; f++)
        {
            original.ReadFrame(f, a);
            reader.ReadFrame(f, b);
            Assert.True(a.AsSpan().SequenceEqual(b), $"frame {f + 1} differs after the remask");
        }
        Assert.Empty(ExternalTool.Dciodvfy(remasked.Path).Errors);
    }

    [Theory]
    [InlineData(15, "1.2.840.10008.1.2.4.80")]
    [InlineData(30, "1.2.840.10008.1.2.4.80")]
    [InlineData(60, "1.2.840.10008.1.2.5")]
    public async Task A_run_faster_than_JPEG_LS_can_follow_is_written_in_RLE(double rate, string expectedSyntax)
    {
        await using var h = new RecorderHarness(_spool.Path, syntax: DicomTransferSyntax.JpegLsLossless, fastRunAboveRate: 30);
        var protocol = RecordingSamples.Cine with { Phases = [new AcquisitionPhase("cine", rate)] };
        var request = RecordingSamples.Request(protocol);
        h.Recorder.Begin(request);
        for (uint id = 11; id <= 13; id++) h.Pulse(id);
        var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 3));
        Assert.True(outcome.Stored, outcome.Failure);
        using var reader = DicomFileReader.Open(outcome.Run!.Image.Path);
        Assert.Equal(expectedSyntax, reader.TransferSyntax.Uid);
        Assert.Equal(3, reader.FrameCount);
    }

    [Fact]
    public void Uncompressed_runs_stop_at_4_GiB_and_RLE_runs_only_at_the_spool_space()
    {
        var format = new DicomFrameFormat(1024, 1024, 16);
        var roomy = RecordingCapacity.For(DicomTransferSyntax.ExplicitVRLittleEndian, format, spoolFreeBytes: 64L << 30, spoolReserveBytes: 256L << 20);
        Assert.Equal(2047, roomy.Frames); // 0xFFFFFFFE / 2 MiB
        Assert.Contains("4 GiB", roomy.LimitedBy);

        var rle = RecordingCapacity.For(DicomTransferSyntax.RleLossless, format, spoolFreeBytes: 64L << 30, spoolReserveBytes: 256L << 20);
        Assert.True(rle.Frames > 3600 * 5, $"{rle.Frames} frames");
        Assert.Contains("free space", rle.LimitedBy);

        // A nearly full spool bounds both, counted at the worst case a frame can take.
        var tight = RecordingCapacity.For(DicomTransferSyntax.RleLossless, format, spoolFreeBytes: (256L << 20) + 100 * (2L << 20), spoolReserveBytes: 256L << 20);
        Assert.InRange(tight.Frames, 95, 100);
        var full = RecordingCapacity.For(DicomTransferSyntax.ExplicitVRLittleEndian, format, spoolFreeBytes: 100L << 20, spoolReserveBytes: 256L << 20);
        Assert.Equal(0, full.Frames);
    }

    [Theory]
    [InlineData(8, 8)]
    [InlineData(16, 10)]
    [InlineData(16, 12)]
    [InlineData(16, 14)]
    [InlineData(16, 16)]
    public void JPEG_LS_runs_are_planned_at_a_frame_size_that_full_range_noise_stays_under(int allocated, int stored)
    {
        var format = new DicomFrameFormat(512, 512, allocated, BitsStored: stored);
        var codec = Dicom.Codecs.JpegLsCodec.Lossless;
        var planned = codec.PlanningEncodedLength(format);
        var noise = new byte[format.FrameLength];
        var random = new Random(stored);
        if (allocated == 8) random.NextBytes(noise);
        else
        {
            var samples = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(noise.AsSpan());
            for (var i = 0; i < samples.Length; i++) samples[i] = (ushort)random.Next(0, 1 << stored);
        }
        var encoded = new byte[codec.MaxEncodedLength(format)];
        var n = codec.Encode(noise, format, encoded);
        Assert.True(n <= planned && planned < format.FrameLength * 1.2, $"noise took {n} bytes; raw {format.FrameLength}, planned {planned}");

        var free = (256L << 20) + 100L * (planned + 8);
        var capacity = RecordingCapacity.For(DicomTransferSyntax.JpegLsLossless, format, spoolFreeBytes: free, spoolReserveBytes: 256L << 20);
        Assert.Equal(100, capacity.Frames);
        Assert.Contains("free space", capacity.LimitedBy);
    }

    [Fact]
    public async Task The_recorder_reports_the_capacity_of_its_own_spool()
    {
        await using var h = new RecorderHarness(_spool.Path, syntax: DicomTransferSyntax.ExplicitVRLittleEndian);
        var capacity = h.Recorder.CapacityFor(new DicomFrameFormat(1024, 1024, 16), pulseRate: 15);
        var free = RecordingCapacity.FreeBytes(_spool.Path);
        Assert.True(capacity.Frames <= 2047 && capacity.Frames <= free / (2L << 20), $"{capacity.Frames} frames with {free} bytes free");
    }

    private static long ExpectedSum(uint pulseId)
    {
        long sum = 0;
        for (int i = 0; i < RecorderHarness.Size * RecorderHarness.Size; i++) sum += (pulseId + i % RecorderHarness.Size) & 0xFFF;
        return sum % (1L << 32);
    }
}
