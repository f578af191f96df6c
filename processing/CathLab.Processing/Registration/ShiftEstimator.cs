using CathLab.Processing.Frames;
using CathLab.Processing.Subtraction;
using OpenCvSharp;

namespace CathLab.Processing.Registration;

/// <summary>Estimates the translation between the (log) mask and a (log) live frame on a region:
/// OpenCV's phase correlation (Hann window) gives the shift to about a pixel, even when it is large;
/// Gauss-Newton least squares on <c>live(x) = M(x - s) + c</c>, with M sampled by cubic convolution,
/// then refines it to well under a tenth of a pixel. The bias c absorbs a change of exposure.</summary>
/// <remarks>Runs on demand (the user picks a region), not per frame; it allocates its OpenCV images.</remarks>
public sealed class ShiftEstimator
{
    public int MaxIterations { get; init; } = 20;

    public PixelShift Estimate(FrameGeometry g, ReadOnlySpan<float> mask, ReadOnlySpan<float> live, RegionOfInterest region)
    {
        g.RequireLength(mask.Length, nameof(mask));
        g.RequireLength(live.Length, nameof(live));
        region.Validate(g);
        var smoothMask = Smoothed(g, mask);
        var smoothLive = Smoothed(g, live);
        var coarse = PhaseCorrelation(g, smoothMask, smoothLive, region);
        return Refine(g, smoothMask, smoothLive, region, coarse);
    }

    /// <summary>Gaussian pre-filter sigma in pixels. Both images get the same filter, which commutes with
    /// a shift; it removes the pixel noise whose gradients would otherwise bias the estimate towards 0.</summary>
    public double PrefilterSigma { get; init; } = 4.0;

    private float[] Smoothed(FrameGeometry g, ReadOnlySpan<float> image)
    {
        var copy = image.ToArray();
        var result = new float[copy.Length];
        using var source = Mat.FromPixelData(g.Height, g.Width, MatType.CV_32FC1, copy);
        using var target = Mat.FromPixelData(g.Height, g.Width, MatType.CV_32FC1, result);
        Cv2.GaussianBlur(source, target, new Size(0, 0), PrefilterSigma, PrefilterSigma, BorderTypes.Replicate);
        return result;
    }

    private static PixelShift PhaseCorrelation(FrameGeometry g, ReadOnlySpan<float> mask, ReadOnlySpan<float> live, RegionOfInterest r)
    {
        using var a = new Mat(r.Height, r.Width, MatType.CV_64FC1);
        using var b = new Mat(r.Height, r.Width, MatType.CV_64FC1);
        for (int y = 0; y < r.Height; y++)
            for (int x = 0; x < r.Width; x++)
            {
                int i = (r.Y + y) * g.Width + r.X + x;
                a.Set(y, x, (double)mask[i]);
                b.Set(y, x, (double)live[i]);
            }
        using var window = new Mat();
        Cv2.CreateHanningWindow(window, new Size(r.Width, r.Height), MatType.CV_64FC1);
        var shift = Cv2.PhaseCorrelate(a, b, window, out _);
        return new PixelShift(shift.X, shift.Y);
    }

    private PixelShift Refine(FrameGeometry g, ReadOnlySpan<float> mask, ReadOnlySpan<float> live, RegionOfInterest r, PixelShift start)
    {
        double sx = start.Dx, sy = start.Dy, bias = 0;
        if (Math.Abs(sx) > PixelShift.Limit || Math.Abs(sy) > PixelShift.Limit) { sx = 0; sy = 0; }
        Span<double> h = stackalloc double[9];
        Span<double> v = stackalloc double[3];
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            h.Clear();
            v.Clear();
            for (int y = r.Y; y < r.Y + r.Height; y++)
                for (int x = r.X; x < r.X + r.Width; x++)
                {
                    double px = x - sx, py = y - sy;
                    double m = Sample(g, mask, px, py);
                    double gx = (Sample(g, mask, px + 0.5, py) - Sample(g, mask, px - 0.5, py));
                    double gy = (Sample(g, mask, px, py + 0.5) - Sample(g, mask, px, py - 0.5));
                    double residual = live[y * g.Width + x] - m - bias;
                    // d(model)/d(sx) = -gx, d/d(sy) = -gy, d/d(bias) = 1
                    double j0 = -gx, j1 = -gy, j2 = 1;
                    h[0] += j0 * j0; h[1] += j0 * j1; h[2] += j0 * j2;
                    h[4] += j1 * j1; h[5] += j1 * j2; h[8] += j2 * j2;
                    v[0] += j0 * residual; v[1] += j1 * residual; v[2] += j2 * residual;
                }
            h[3] = h[1]; h[6] = h[2]; h[7] = h[5];
            if (!Solve3(h, v, out double dx, out double dy, out double dc)) break;
            sx += dx; sy += dy; bias += dc;
            sx = Math.Clamp(sx, -PixelShift.Limit, PixelShift.Limit);
            sy = Math.Clamp(sy, -PixelShift.Limit, PixelShift.Limit);
            if (Math.Abs(dx) < 1e-4 && Math.Abs(dy) < 1e-4) break;
        }
        return new PixelShift(sx, sy);
    }

    // Keys cubic convolution (a = -0.5), edges replicated.
    private static double Sample(FrameGeometry g, ReadOnlySpan<float> image, double x, double y)
    {
        int ix = (int)Math.Floor(x), iy = (int)Math.Floor(y);
        double fx = x - ix, fy = y - iy;
        Span<double> wx = stackalloc double[4];
        Span<double> wy = stackalloc double[4];
        Weights(fx, wx);
        Weights(fy, wy);
        double sum = 0;
        for (int j = 0; j < 4; j++)
        {
            int row = Math.Clamp(iy - 1 + j, 0, g.Height - 1) * g.Width;
            double rowSum = 0;
            for (int i = 0; i < 4; i++) rowSum += wx[i] * image[row + Math.Clamp(ix - 1 + i, 0, g.Width - 1)];
            sum += wy[j] * rowSum;
        }
        return sum;
    }

    private static void Weights(double t, Span<double> w)
    {
        const double a = -0.5;
        static double Near(double d, double a) => ((a + 2) * d - (a + 3)) * d * d + 1;
        static double Far(double d, double a) => ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
        w[0] = Far(1 + t, a);
        w[1] = Near(t, a);
        w[2] = Near(1 - t, a);
        w[3] = Far(2 - t, a);
    }

    private static bool Solve3(ReadOnlySpan<double> a, ReadOnlySpan<double> b, out double x0, out double x1, out double x2)
    {
        double det = a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);
        x0 = x1 = x2 = 0;
        if (Math.Abs(det) < 1e-300) return false;
        x0 = (b[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (b[1] * a[8] - a[5] * b[2]) + a[2] * (b[1] * a[7] - a[4] * b[2])) / det;
        x1 = (a[0] * (b[1] * a[8] - a[5] * b[2]) - b[0] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * b[2] - b[1] * a[6])) / det;
        x2 = (a[0] * (a[4] * b[2] - b[1] * a[7]) - a[1] * (a[3] * b[2] - b[1] * a[6]) + b[0] * (a[3] * a[7] - a[4] * a[6])) / det;
        return true;
    }
}
