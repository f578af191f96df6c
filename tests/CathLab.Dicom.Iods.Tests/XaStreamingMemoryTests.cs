using CathLab.Testing;
using CathLab.Dicom.Iods.Xa;
using CathLab.Dicom.IO;
using CathLab.Dicom.Uids;
using Xunit.Abstractions;

namespace CathLab.Dicom.Iods.Tests;

/// <summary>A full-size run (60 frames of 1024x1024x16 bit, 120 MiB) streams: memory does not grow with the frame count.</summary>
public sealed class XaStreamingMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int Frames = 60;
    private const int Warmup = 10;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Memory_stays_flat_while_frames_stream_to_disk(bool rle)
    {
        var path = _dir.File(rle ? "big-rle.dcm" : "big.dcm");
        var run = SampleExam.Run(size: 1024, bits: 12, syntax: rle ? DicomTransferSyntax.RleLossless : null);
        var exam = SampleExam.Context(DicomUidGenerator.NewUid());
        var sums = new uint[Frames];
        var frame = new byte[1024 * 1024 * 2];
        long allocatedAtWarmup = 0, heapAtWarmup = 0;
        XaRunSummary summary;
        using (var writer = XaRunWriter.Create(path, exam, run))
        {
            for (var i = 0; i < Frames; i++)
            {
                if (i == Warmup)
                {
                    heapAtWarmup = GC.GetTotalMemory(forceFullCollection: true);
                    allocatedAtWarmup = GC.GetAllocatedBytesForCurrentThread();
                }
                SampleExam.FillFrame(frame, 1024, i, 12);
                sums[i] = SampleExam.Checksum(frame, 16);
                writer.WriteFrame(frame, SampleExam.Record(i));
            }
            var allocatedPerFrame = (GC.GetAllocatedBytesForCurrentThread() - allocatedAtWarmup) / (double)(Frames - Warmup);
            var heapGrowth = GC.GetTotalMemory(forceFullCollection: true) - heapAtWarmup;
            output.WriteLine($"{(rle ? "RLE" : "native")}: {allocatedPerFrame:F0} bytes allocated per frame after warm-up, heap growth {heapGrowth} bytes over {Frames - Warmup} frames of {frame.Length} bytes");
            // One frame is 2 MiB; streaming means far less than a frame allocated per frame and no growth with the count.
            Assert.True(allocatedPerFrame < 1024, $"{allocatedPerFrame} bytes allocated per frame");
            // Keeping frames would grow the heap by 100 MiB here; other threads (test host) account for a few MiB of noise.
            Assert.True(heapGrowth < 8 << 20, $"heap grew {heapGrowth} bytes over {Frames - Warmup} frames");
            summary = writer.Complete();
        }
        Assert.Equal(Frames, summary.Frames);
        if (!rle) Assert.True(summary.FileLength > (long)Frames * frame.Length);
        XaRunWriterTests.AssertValid(path);

        const string script = """
            import sys, numpy as np, pydicom
            ds = pydicom.dcmread(sys.argv[1])
            print(' '.join(str(int(np.asarray(f, dtype=np.uint64).sum() % (1 << 32))) for f in ds.pixel_array))
            """;
        var r = ExternalTool.PythonScript(script, path);
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Equal(sums, r.StdOut.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(uint.Parse).ToArray());
    }
    /// <summary>
    /// Reports (does not assert) recording throughput against the physical bound on this disk: the same bytes written
    /// with a plain FileStream. Printed with the test output (dotnet test --logger "console;verbosity=detailed").
    /// </summary>
    [Fact]
    public void Recording_throughput_against_a_plain_file_write()
    {
        var frame = new byte[1024 * 1024 * 2];
        SampleExam.FillFrame(frame, 1024, 0, 12);
        var exam = SampleExam.Context(DicomUidGenerator.NewUid());
        var plain = System.Diagnostics.Stopwatch.StartNew();
        using (var fs = new FileStream(_dir.File("plain.raw"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            for (var i = 0; i < Frames; i++) fs.Write(frame);
            fs.Flush(flushToDisk: true);
        }
        plain.Stop();
        var recorded = System.Diagnostics.Stopwatch.StartNew();
        using (var writer = XaRunWriter.Create(_dir.File("timed.dcm"), exam, SampleExam.Run(size: 1024)))
        {
            for (var i = 0; i < Frames; i++) writer.WriteFrame(frame, SampleExam.Record(i));
            writer.Complete();
        }
        recorded.Stop();
        var mb = Frames * frame.Length / 1e6;
        output.WriteLine($"60 x 1024x1024x16: plain write+fsync {mb / plain.Elapsed.TotalSeconds:F0} MB/s, XA run writer {mb / recorded.Elapsed.TotalSeconds:F0} MB/s " +
            $"({Frames / recorded.Elapsed.TotalSeconds:F0} frames/s), ratio {recorded.Elapsed.TotalSeconds / plain.Elapsed.TotalSeconds:F2}");
        Assert.True(File.Exists(_dir.File("timed.dcm")));
    }
}
