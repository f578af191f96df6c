using OpenCvSharp;

namespace CathLab.Bench.Processing;

/// <summary>The same steps written with OpenCvSharp (OpenCV's optimised, multi-threaded kernels), as the
/// peer the benchmarks compare against. Mats are allocated once; OpenCV uses as many threads as the
/// CPU path (2).</summary>
internal sealed class OpenCvPeer : IDisposable
{
    private readonly int _w, _h;
    private readonly Mat _raw, _dark, _gain, _f, _state, _d, _d2, _var, _ratio, _mask, _peak, _log, _out16, _blur, _enhanced, _out8, _small, _smoothIn, _smoothOut;
    private readonly float _slope, _intercept, _dvf, _lo, _invSpan, _aMin, _aRamp;

    public OpenCvPeer(int width, int height, ushort[] raw, float[] dark, float[] gain, float[] mask)
    {
        _w = width;
        _h = height;
        _raw = Mat.FromPixelData(height, width, MatType.CV_16UC1, raw);
        _dark = Mat.FromPixelData(height, width, MatType.CV_32FC1, dark);
        _gain = Mat.FromPixelData(height, width, MatType.CV_32FC1, gain);
        _mask = Mat.FromPixelData(height, width, MatType.CV_32FC1, mask);
        Mat F() => new(height, width, MatType.CV_32FC1, Scalar.All(0));
        _f = F(); _state = F(); _d = F(); _d2 = F(); _var = F(); _ratio = F(); _peak = F(); _log = F(); _blur = F(); _enhanced = F(); _smoothIn = F(); _smoothOut = F();
        _out16 = new Mat(height, width, MatType.CV_16UC1, Scalar.All(0));
        _out8 = new Mat(height, width, MatType.CV_8UC1, Scalar.All(0));
        _small = new Mat(height / 2, width / 2, MatType.CV_8UC1, Scalar.All(0));
        _slope = 1; _intercept = 4; _aMin = 0.25f; _aRamp = 0.75f;
        _dvf = 2f / (2 - 0.25f);
        _lo = 3.5f; _invSpan = 1 / 2.5f;
    }

    public void Calibrate()
    {
        _raw.ConvertTo(_f, MatType.CV_32FC1);
        Cv2.Subtract(_f, _dark, _f);
        Cv2.Multiply(_f, _gain, _f);
        _f.ConvertTo(_out16, MatType.CV_16UC1);
    }

    public void CalibrateRecursive()
    {
        _raw.ConvertTo(_f, MatType.CV_32FC1);
        Cv2.Subtract(_f, _dark, _f);
        Cv2.Multiply(_f, _gain, _f);
        Cv2.Subtract(_f, _state, _d);
        Cv2.Multiply(_d, _d, _d2);
        _state.ConvertTo(_var, MatType.CV_32FC1, _slope * _dvf, _intercept * _dvf);
        Cv2.Divide(_d2, _var, _ratio);
        Cv2.Sqrt(_ratio, _ratio);
        _ratio.ConvertTo(_ratio, MatType.CV_32FC1, _invSpan, -_lo * _invSpan);
        Cv2.Threshold(_ratio, _ratio, 1, 1, ThresholdTypes.Trunc);
        Cv2.Threshold(_ratio, _ratio, 0, 0, ThresholdTypes.Tozero);
        _ratio.ConvertTo(_ratio, MatType.CV_32FC1, _aRamp, _aMin);
        Cv2.Multiply(_ratio, _d, _d);
        Cv2.Add(_state, _d, _state);
        _state.ConvertTo(_out16, MatType.CV_16UC1);
    }

    public void CalibrateLogSubtract()
    {
        _raw.ConvertTo(_f, MatType.CV_32FC1);
        Cv2.Subtract(_f, _dark, _f);
        Cv2.Multiply(_f, _gain, _f);
        Cv2.Max(_f, 1.0, _f);
        Cv2.Log(_f, _log);
        Cv2.Subtract(_log, _mask, _log);
        _log.ConvertTo(_out16, MatType.CV_16UC1, 2000, 8192);
    }

    public void RoadmapPeak()
    {
        _raw.ConvertTo(_f, MatType.CV_32FC1);
        Cv2.Subtract(_f, _dark, _f);
        Cv2.Multiply(_f, _gain, _f);
        Cv2.Max(_f, 1.0, _d);
        Cv2.Log(_d, _log);
        Cv2.Subtract(_log, _mask, _log);
        Cv2.Min(_peak, _log, _peak);
        Cv2.ScaleAdd(_peak, 4000, _f, _f);
        _f.ConvertTo(_out16, MatType.CV_16UC1);
    }

    /// <summary>3x3 bilateral filter: OpenCV's noise-aware (edge-preserving) smoothing.</summary>
    public void Smooth()
    {
        _out16.ConvertTo(_smoothIn, MatType.CV_32FC1);
        Cv2.BilateralFilter(_smoothIn, _smoothOut, 3, 100, 3);
        _smoothOut.ConvertTo(_out16, MatType.CV_16UC1);
    }

    public void UnsharpWindowLevel(int kernel = 9, double gain = 0.5, double low = 0, double scale = 255.0 / 16384)
    {
        _out16.ConvertTo(_f, MatType.CV_32FC1);
        Cv2.Blur(_f, _blur, new Size(kernel, kernel), new Point(-1, -1), BorderTypes.Replicate);
        Cv2.AddWeighted(_f, 1 + gain, _blur, -gain, 0, _enhanced);
        _enhanced.ConvertTo(_out8, MatType.CV_8UC1, scale, -low * scale);
    }

    public void Downscale2() => Cv2.Resize(_out8, _small, new Size(_w / 2, _h / 2), 0, 0, InterpolationFlags.Area);

    public void FluoroChain() { CalibrateRecursive(); UnsharpWindowLevel(); }

    public void CineChain() { Calibrate(); UnsharpWindowLevel(); }

    public void DsaChain() { CalibrateLogSubtract(); UnsharpWindowLevel(); }

    public void RoadmapChain() { RoadmapPeak(); UnsharpWindowLevel(); }

    public void Dispose()
    {
        foreach (var m in new[] { _raw, _dark, _gain, _f, _state, _d, _d2, _var, _ratio, _mask, _peak, _log, _out16, _blur, _enhanced, _out8, _small, _smoothIn, _smoothOut })
            m.Dispose();
    }
}
