using System.Text.Json;
using CathLab.Testing;

namespace CathLab.Acquisition.Tests.Recording;

/// <summary>What pydicom reads back of what the recorder wrote.</summary>
internal static class PydicomReadBack
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
        var (code, stdout, stderr) = ExternalTool.PythonScript(ReadBack, path);
        Assert.True(code == 0, stdout + stderr);
        return JsonDocument.Parse(stdout).RootElement;
    }
}
