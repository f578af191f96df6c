using System.Runtime.InteropServices;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Tests.Support;
using CathLab.Dicom.Uids;
using CathLab.Testing;

namespace CathLab.Dicom.Tests.Peers;

/// <summary>dcmtk (dcmdjpls, dcmcjpls) and pydicom (through GDCM) agree with our JPEG-LS pixel for pixel.</summary>
public class JpegLsPeerTests : IDisposable
{
    private const string CharLs = "libcharls.so.2";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [PeerTheory(CharLs, "dcmdjpls", "dcmdump")]
    [InlineData(8, 8, 3)]
    [InlineData(16, 10, 4)]
    [InlineData(16, 12, 4)]
    [InlineData(16, 14, 2)]
    [InlineData(16, 16, 1)]
    public void DcmdjplsDecodesOurFilesToOurPixels(int allocated, int stored, int frames)
    {
        var path = _dir.File("ours.dcm");
        var expected = Write(path, DicomTransferSyntax.JpegLsLossless, 48, 40, allocated, stored, frames);
        var dump = ExternalTool.Run("dcmdump", "-dc", path);
        Assert.True(dump.ExitCode == 0, dump.All);
        Assert.DoesNotContain("E: ", dump.StdErr);
        Assert.Contains("(0002,0010) UI =JPEGLSLossless", dump.StdOut);
        Assert.Contains($"(0028,0008) IS [{frames}", dump.StdOut);

        var native = _dir.File("native.dcm");
        var run = ExternalTool.Run("dcmdjpls", "+te", path, native);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.DoesNotContain("W: ", run.StdErr);
        AssertFrames(native, DicomUids.ExplicitVRLittleEndian, expected);
    }

    [PeerTheory(CharLs, "py:pydicom", "py:gdcm")]
    [InlineData(8, 8, 2)]
    [InlineData(16, 10, 3)]
    [InlineData(16, 12, 3)]
    [InlineData(16, 14, 1)]
    public void PydicomDecodesOurFilesToOurPixels(int allocated, int stored, int frames)
    {
        var path = _dir.File("ours.dcm");
        var expected = Write(path, DicomTransferSyntax.JpegLsLossless, 33, 47, allocated, stored, frames);
        var run = ExternalTool.PythonScript("""
            import sys, hashlib, pydicom, numpy as np
            ds = pydicom.dcmread(sys.argv[1])
            arr = ds.pixel_array
            if int(getattr(ds, 'NumberOfFrames', 1) or 1) == 1: arr = arr[np.newaxis, ...]
            print(ds.file_meta.TransferSyntaxUID, len(arr))
            for f in arr: print(hashlib.md5(np.ascontiguousarray(f).astype('<u2' if ds.BitsAllocated == 16 else 'u1').tobytes()).hexdigest())
            """, path);
        Assert.True(run.ExitCode == 0, run.All);
        var lines = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"{DicomUids.JpegLsLossless} {frames}", lines[0]);
        Assert.Equal(expected.Select(f => TestObjects.Md5(f)), lines.Skip(1));
    }

    [PeerTheory(CharLs, "dcmcjpls")]
    [InlineData(8, 8, new string[0], DicomUids.JpegLsLossless)]
    [InlineData(16, 12, new string[0], DicomUids.JpegLsLossless)]
    [InlineData(16, 14, new[] { "-ot" }, DicomUids.JpegLsLossless)]         // a fragment per frame, no offset table
    [InlineData(16, 12, new[] { "+fs", "1" }, DicomUids.JpegLsLossless)]    // 1 KiB fragments, found by the offset table
    [InlineData(16, 16, new string[0], DicomUids.JpegLsLossless)]
    [InlineData(16, 12, new[] { "+en", "+md", "2" }, DicomUids.JpegLsNearLossless)]
    public void WeDecodeWhatDcmcjplsEncodes(int allocated, int stored, string[] options, string uid)
    {
        var source = _dir.File("src.dcm");
        var expected = Write(source, DicomTransferSyntax.ExplicitVRLittleEndian, 64, 60, allocated, stored, 4);
        var output = _dir.File("dcmtk.dcm");
        var run = ExternalTool.Run("dcmcjpls", options.Append(source).Append(output).ToArray());
        Assert.True(run.ExitCode == 0, run.All);
        if (uid == DicomUids.JpegLsLossless)
        {
            AssertFrames(output, uid, expected);
            return;
        }
        using var reader = DicomFileReader.Open(output);
        Assert.Equal(uid, reader.Meta.TransferSyntaxUid);
        var frame = new byte[reader.FrameFormat.FrameLength];
        for (var i = 0; i < expected.Count; i++)
        {
            reader.ReadFrame(i, frame);
            var a = MemoryMarshal.Cast<byte, ushort>(expected[i].AsSpan());
            var b = MemoryMarshal.Cast<byte, ushort>(frame.AsSpan());
            for (var p = 0; p < a.Length; p++) Assert.InRange(b[p] - a[p], -2, 2);
        }
    }

    /// <summary>A multi-frame XA-like file of <paramref name="stored"/>-bit samples, and the frames that went in.</summary>
    internal static List<byte[]> Write(string path, DicomTransferSyntax syntax, int rows, int columns, int allocated, int stored, int frames)
    {
        var mask = (1 << stored) - 1;
        var expected = Enumerable.Range(0, frames).Select(i => Masked(TestObjects.Frame(rows, columns, allocated, i * 31 + stored), allocated, mask)).ToList();
        var header = TestObjects.XaHeader(rows, columns, allocated).SetInt(DicomTags.BitsStored, stored).SetInt(DicomTags.HighBit, stored - 1);
        header.SetTags(DicomTags.FrameIncrementPointer, DicomTags.FrameTime);
        using var writer = DicomMultiFrameWriter.Create(path, header, syntax);
        foreach (var f in expected) writer.WriteFrame(f);
        writer.Complete();
        return expected;
    }

    private static byte[] Masked(byte[] frame, int allocated, int mask)
    {
        if (allocated == 8) return frame;
        var samples = MemoryMarshal.Cast<byte, ushort>(frame.AsSpan());
        for (var i = 0; i < samples.Length; i++) samples[i] = (ushort)((samples[i] * 2654435761u >> 7) & mask);
        return frame;
    }

    private static void AssertFrames(string path, string uid, List<byte[]> expected)
    {
        using var reader = DicomFileReader.Open(path);
        Assert.Equal(uid, reader.Meta.TransferSyntaxUid);
        Assert.Equal(expected.Count, reader.FrameCount);
        var frame = new byte[reader.FrameFormat.FrameLength];
        for (var i = 0; i < expected.Count; i++)
        {
            reader.ReadFrame(i, frame);
            Assert.True(expected[i].AsSpan().SequenceEqual(frame), $"frame {i} differs");
        }
    }
}
