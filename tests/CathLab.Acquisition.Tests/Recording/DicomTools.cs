using System.Text.Json;
using CathLab.Testing;

namespace CathLab.Acquisition.Tests.Recording;

/// <summary>The real tools that read back what the recorder wrote: pydicom and dciodvfy.</summary>
internal static class DicomTools
{
    private const string ReadBack = """
        import sys, json
        import numpy as np
        import pydicom
        ds = pydicom.dcmread(sys.argv[1])
        arr = ds.pixel_array
        if int(ds.NumberOfFrames) == 1: arr = arr[np.newaxis]
        def get(k):
            v = ds.get(k)
            if v is None: return None
            if isinstance(v, pydicom.multival.MultiValue): return [str(x) for x in v]
            return str(v)
        out = {k: get(k) for k in ['NumberOfFrames','FrameTime','FrameTimeVector','KVP','XRayTubeCurrent','ExposureInuAs','AveragePulseWidth',
              'SOPInstanceUID','SeriesInstanceUID','SeriesNumber','InstanceNumber','PositionerPrimaryAngle','PositionerSecondaryAngle',
              'DistanceSourceToDetector','IntensifierSize','RecommendedViewingMode','IrradiationEventUID','Rows','BitsStored']}
        if 'MaskSubtractionSequence' in ds:
            m = ds.MaskSubtractionSequence[0]
            out['MaskOperation'] = m.MaskOperation
            v = m.MaskFrameNumbers
            out['MaskFrameNumbers'] = [int(x) for x in (list(v) if isinstance(v, (list, pydicom.multival.MultiValue)) else [v])]
            out['ApplicableFrameRange'] = [int(x) for x in m.ApplicableFrameRange]
        out['sums'] = [int(np.asarray(f, dtype=np.uint64).sum() % (1 << 32)) for f in arr]
        print(json.dumps(out))
        """;

    public static JsonElement Read(string path)
    {
        var (code, stdout, stderr) = Run("/usr/bin/python3", "-c", ReadBack, path);
        Assert.True(code == 0, stdout + stderr);
        return JsonDocument.Parse(stdout).RootElement;
    }

    /// <summary>dciodvfy's error lines for the file (none is what a valid object has).</summary>
    public static string[] DciodvfyErrors(string path)
    {
        var (_, stdout, stderr) = Run("/usr/bin/dciodvfy", path);
        return (stdout + stderr).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToArray();
    }

    public static (int Code, string StdOut, string StdErr) Run(string program, params string[] args)
    {
        var result = ExternalTool.Run(program, args);
        return (result.ExitCode, result.StdOut, result.StdErr);
    }
}
