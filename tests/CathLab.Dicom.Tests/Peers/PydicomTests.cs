using CathLab.Testing;
using CathLab.Dicom.IO;
using CathLab.Dicom.Tests.Support;
using CathLab.Dicom.Uids;

namespace CathLab.Dicom.Tests.Peers;

/// <summary>pydicom (the system python3's) decodes every frame of our files to the same pixels.</summary>
public class PydicomTests : IDisposable
{
    private const string Script = """
        import sys, hashlib, pydicom, numpy as np
        ds = pydicom.dcmread(sys.argv[1])
        arr = ds.pixel_array
        frames = int(getattr(ds, 'NumberOfFrames', 1) or 1)
        if frames == 1:
            arr = arr[np.newaxis, ...]
        dtype = '<u2' if ds.BitsAllocated == 16 else 'u1'
        print(ds.file_meta.TransferSyntaxUID, frames, ds.PatientName)
        for f in arr:
            print(hashlib.md5(np.ascontiguousarray(f).astype(dtype).tobytes()).hexdigest())
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(DicomUids.ExplicitVRLittleEndian, 16, 1)]
    [InlineData(DicomUids.ExplicitVRLittleEndian, 16, 6)]
    [InlineData(DicomUids.ImplicitVRLittleEndian, 8, 3)]
    [InlineData(DicomUids.DeflatedExplicitVRLittleEndian, 16, 3)]
    [InlineData(DicomUids.RleLossless, 16, 6)]
    [InlineData(DicomUids.RleLossless, 8, 2)]
    [InlineData(DicomUids.RleLossless, 16, 1)]
    public void PydicomDecodesEveryFrame(string syntaxUid, int bits, int frames)
    {
        var path = _dir.File("ours.dcm");
        var expected = PeerFiles.WriteMultiFrame(path, DicomTransferSyntax.Get(syntaxUid), 33, 47, bits, frames);
        var run = ExternalTool.PythonScript(Script, path);
        Assert.True(run.ExitCode == 0, run.All);
        var lines = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"{syntaxUid} {frames} Müller^Jürgen", lines[0]);
        Assert.Equal(expected.Select(f => TestObjects.Md5(f)), lines.Skip(1));
    }

    [Theory]
    [InlineData(1, 8)]
    [InlineData(3, 16)]
    [InlineData(511, 16)]
    [InlineData(1023, 8)]
    [InlineData(1024, 16)]
    public void PydicomDecodesEveryRlePatternToOurPixels(int columns, int bits)
    {
        var path = _dir.File("patterns.dcm");
        var expected = RlePatternFiles.Write(path, 6, columns, bits);
        var run = ExternalTool.PythonScript(Script, path);
        Assert.True(run.ExitCode == 0, run.All);
        var lines = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"{DicomUids.RleLossless} {expected.Count} Müller^Jürgen", lines[0]);
        Assert.Equal(expected.Select(f => TestObjects.Md5(f)), lines.Skip(1));
    }
}
