using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CathLab.Processing.Calibration;
using CathLab.Processing.Pipeline;
using CathLab.Processing.Subtraction;

namespace CathLab.Processing.Cpu;

/// <summary>The fused per-pixel first pass of every chain: fixed-point offset and gain
/// (<see cref="FixedPointCalibration"/>), then the stage's own step. Every stage runs
/// 32 pixels per step with 512-bit vectors where the hardware has them (<see cref="Wide"/>), else, and for the
/// last 16 pixels of a band whose length is not a multiple of 32, 16 per step with 256-bit vectors; both
/// loops perform the same lane-wise operations, so their output is identical.
/// Each arithmetic step mirrors Kernels/pixel.cl operation for operation (integers where they can be, floats
/// without fused multiply-add), so the two backends produce the same values; the log, which OpenCL and the
/// 256-bit loop look up, the 512-bit loop computes by the function the table is built from
/// (<see cref="LogTransform"/>).</summary>
internal sealed unsafe class PixelPass : BandJob
{
    private readonly int _width;
    private readonly ushort[] _state;
    private readonly float[] _mask;
    private readonly float[] _peak;
    private readonly float[] _log;
    private readonly ushort[] _output;
    private FixedPointCalibration? _calibration;
    private ushort* _raw;
    private ChainConstants _k;
    private float _varianceSlope, _varianceIntercept, _quietBound;

    public PixelPass(int width, ushort[] state, float[] mask, float[] peak, ushort[] output)
    {
        _width = width;
        _state = state;
        _mask = mask;
        _peak = peak;
        _output = output;
        _log = LogTransform.Table;
    }

    /// <summary>Whether the 512-bit loops run; on by default where 512-bit vectors
    /// are accelerated. Tests set it both ways to check the two widths give the same values.</summary>
    public bool Wide { get; init; } = Vector512.IsHardwareAccelerated;

    /// <summary>Whether a vector whose every pixel is surely below the low threshold skips the divide and square
    /// root (see <see cref="QuietBound"/>); the values are the same either way, and tests turn it off to show
    /// that. In a fluoro run most of the image is static anatomy under noise, so most vectors skip them.</summary>
    public bool SkipQuiet { get; init; } = true;

    /// <summary>d^2 below this times sigma_d^2, both rounded to float, guarantees that the rounded
    /// sqrt(d^2 / sigma_d^2) is at most the low threshold, so the ramp is 0 and the gain is the static one:
    /// the bound is L^2 (1 - 2^-12), and the roundings between this test and the ratio (this constant, the
    /// product, the quotient, the square root) add less than 2^-21 relative. Zero (never quiet) for a
    /// threshold that is not positive.</summary>
    internal static float QuietBound(float lowThreshold) =>
        lowThreshold > 0 ? (float)((double)lowThreshold * lowThreshold * (1 - 1.0 / 4096)) : 0f;

    public void SetCalibration(FixedPointCalibration calibration) => _calibration = calibration;

    /// <summary>The raw frame, pinned by the caller for the duration of the pass.</summary>
    public void Prepare(ushort* raw, in ChainConstants k)
    {
        _raw = raw;
        _k = k;
        (_varianceSlope, _varianceIntercept) = k.DifferenceVarianceQ(_calibration!.FractionBits);
        _quietBound = QuietBound(k.LowThreshold);
    }

    public override void Execute(int band, int y0, int y1) => Rows(y0, y1);

    public void Rows(int y0, int y1)
    {
        int start = y0 * _width, end = y1 * _width;
        switch (_k.Stage)
        {
            case PixelStage.Calibrate: Calibrate(start, end); break;
            case PixelStage.CalibrateRecursive: CalibrateRecursive(start, end); break;
            default: LogStage(start, end); break;
        }
    }

    // ---- offset and gain in Q(F), 16 pixels (256-bit) or 32 pixels (512-bit) at a time ----

    /// <summary>Corrected values in Q(F) of the 16 pixels from <paramref name="i"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> Lower, Vector256<uint> Upper) Corrected(ushort* raw, ushort[] dark, ushort[] gain, int i, in FixedPoint256 q)
    {
        var r = Vector256.ShiftLeft(Vector256.Min(Vector256.Load(raw + i), q.RawMax), q.FractionBits);
        var d = Vector256.LoadUnsafe(ref dark[0], (nuint)i);
        var offset = Vector256.Max(r, d) - d;
        var g = Vector256.LoadUnsafe(ref gain[0], (nuint)i);
        var (ol, oh) = Vector256.Widen(offset);
        var (gl, gh) = Vector256.Widen(g);
        var lower = Vector256.Min(Vector256.ShiftRightLogical(ol * gl + q.Round, q.GainShift), q.MaxQ);
        var upper = Vector256.Min(Vector256.ShiftRightLogical(oh * gh + q.Round, q.GainShift), q.MaxQ);
        return (lower, upper);
    }

    /// <summary>Corrected values in Q(F) of the 32 pixels from <paramref name="i"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<uint> Lower, Vector512<uint> Upper) Corrected512(ushort* raw, ushort[] dark, ushort[] gain, int i, in FixedPoint512 q)
    {
        var r = Vector512.ShiftLeft(Vector512.Min(Vector512.Load(raw + i), q.RawMax), q.FractionBits);
        var d = Vector512.LoadUnsafe(ref dark[0], (nuint)i);
        var offset = Vector512.Max(r, d) - d;
        var g = Vector512.LoadUnsafe(ref gain[0], (nuint)i);
        var (ol, oh) = Vector512.Widen(offset);
        var (gl, gh) = Vector512.Widen(g);
        var lower = Vector512.Min(Vector512.ShiftRightLogical(ol * gl + q.Round, q.GainShift), q.MaxQ);
        var upper = Vector512.Min(Vector512.ShiftRightLogical(oh * gh + q.Round, q.GainShift), q.MaxQ);
        return (lower, upper);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> ToPixel(Vector256<uint> value, in FixedPoint256 q) =>
        Vector256.ShiftRightLogical(value + q.Half, q.FractionBits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> ToPixel(Vector512<uint> value, in FixedPoint512 q) =>
        Vector512.ShiftRightLogical(value + q.Half, q.FractionBits);

    private void Calibrate(int start, int end)
    {
        var calibration = _calibration!;
        ushort* raw = _raw;
        ushort[] dark = calibration.Dark, gain = calibration.Gain;
        ref ushort output = ref _output[0];
        int i = start;
        if (Wide)
        {
            var q = new FixedPoint512(calibration);
            for (; i + 32 <= end; i += 32)
            {
                var (lo, hi) = Corrected512(raw, dark, gain, i, q);
                Vector512.Narrow(ToPixel(lo, q), ToPixel(hi, q)).StoreUnsafe(ref output, (nuint)i);
            }
        }
        var q256 = new FixedPoint256(calibration);
        for (; i < end; i += 16)
        {
            var (lo, hi) = Corrected(raw, dark, gain, i, q256);
            Vector256.Narrow(ToPixel(lo, q256), ToPixel(hi, q256)).StoreUnsafe(ref output, (nuint)i);
        }
    }

    // ---- motion-adaptive recursive filter ----

    /// <summary>y + a (x - y) with a from the motion test |d| / sigma_d = sqrt(d^2 / sigma_d^2); returns the new
    /// state in Q(F). Divide and square root are correctly rounded, so OpenCL (built to round them correctly)
    /// computes the same bits; they run beside the other float work, which a Newton-step reciprocal square root
    /// would add to (that took about 20 % longer here at 512 bits, and no less at 256). sigma_d^2 is at least
    /// the intercept, a positive normal float (<see cref="ChainConstants.DifferenceVarianceQ"/>), so d = 0 gives 0.
    /// The clamps use the native min/max: no operand is NaN and the sign of a zero is lost in the addition that
    /// follows, so IEEE minimum/maximum's extra fix-up instructions would not change a value (same in Pack).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Recursive(Vector256<int> x, Vector256<int> y, Vector256<float> maxQ)
    {
        var d = Vector256.ConvertToSingle(x - y);
        var yf = Vector256.ConvertToSingle(y);
        var variance = Vector256.Create(_varianceSlope) * yf + Vector256.Create(_varianceIntercept);
        var d2 = d * d;
        var ratio = SkipQuiet && Vector256.LessThanAll(d2, Vector256.Create(_quietBound) * variance)
            ? Vector256<float>.Zero
            : Vector256.Sqrt(d2 / variance);
        var ramp = (ratio - Vector256.Create(_k.LowThreshold)) * Vector256.Create(_k.InverseThresholdSpan);
        ramp = Vector256.MinNative(Vector256.MaxNative(ramp, Vector256<float>.Zero), Vector256<float>.One);
        var alpha = Vector256.Create(_k.AlphaMin) + Vector256.Create(_k.AlphaRamp) * ramp;
        var next = yf + alpha * d;
        return Vector256.ConvertToInt32Native(Vector256.MinNative(Vector256.MaxNative(next, Vector256<float>.Zero), maxQ) + Vector256.Create(0.5f));
    }

    /// <inheritdoc cref="Recursive(Vector256{int}, Vector256{int}, Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Recursive(Vector512<int> x, Vector512<int> y, Vector512<float> maxQ)
    {
        var d = Vector512.ConvertToSingle(x - y);
        var yf = Vector512.ConvertToSingle(y);
        var variance = Vector512.Create(_varianceSlope) * yf + Vector512.Create(_varianceIntercept);
        var d2 = d * d;
        var ratio = SkipQuiet && Vector512.LessThanAll(d2, Vector512.Create(_quietBound) * variance)
            ? Vector512<float>.Zero
            : Vector512.Sqrt(d2 / variance);
        var ramp = (ratio - Vector512.Create(_k.LowThreshold)) * Vector512.Create(_k.InverseThresholdSpan);
        ramp = Vector512.MinNative(Vector512.MaxNative(ramp, Vector512<float>.Zero), Vector512<float>.One);
        var alpha = Vector512.Create(_k.AlphaMin) + Vector512.Create(_k.AlphaRamp) * ramp;
        var next = yf + alpha * d;
        return Vector512.ConvertToInt32Native(Vector512.MinNative(Vector512.MaxNative(next, Vector512<float>.Zero), maxQ) + Vector512.Create(0.5f));
    }

    private void CalibrateRecursive(int start, int end)
    {
        var calibration = _calibration!;
        float maxQ = calibration.MaxQ;
        ushort* raw = _raw;
        ushort[] dark = calibration.Dark, gain = calibration.Gain;
        ref ushort output = ref _output[0];
        ref ushort state = ref _state[0];
        int i = start;
        if (Wide)
        {
            var q = new FixedPoint512(calibration);
            var max = Vector512.Create(maxQ);
            for (; i + 32 <= end; i += 32)
            {
                var (lo, hi) = Corrected512(raw, dark, gain, i, q);
                var (yl, yh) = Vector512.Widen(Vector512.LoadUnsafe(ref state, (nuint)i));
                var nl = Recursive(lo.AsInt32(), yl.AsInt32(), max).AsUInt32();
                var nh = Recursive(hi.AsInt32(), yh.AsInt32(), max).AsUInt32();
                Vector512.Narrow(nl, nh).StoreUnsafe(ref state, (nuint)i);
                Vector512.Narrow(ToPixel(nl, q), ToPixel(nh, q)).StoreUnsafe(ref output, (nuint)i);
            }
        }
        var q256 = new FixedPoint256(calibration);
        var max256 = Vector256.Create(maxQ);
        for (; i < end; i += 16)
        {
            var (lo, hi) = Corrected(raw, dark, gain, i, q256);
            var (yl, yh) = Vector256.Widen(Vector256.LoadUnsafe(ref state, (nuint)i));
            var nl = Recursive(lo.AsInt32(), yl.AsInt32(), max256).AsUInt32();
            var nh = Recursive(hi.AsInt32(), yh.AsInt32(), max256).AsUInt32();
            Vector256.Narrow(nl, nh).StoreUnsafe(ref state, (nuint)i);
            Vector256.Narrow(ToPixel(nl, q256), ToPixel(nh, q256)).StoreUnsafe(ref output, (nuint)i);
        }
    }

    // ---- log stages: subtraction and roadmap ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Pack(Vector256<float> v, Vector256<float> max) =>
        Vector256.ConvertToInt32Native(Vector256.MinNative(Vector256.MaxNative(v, Vector256<float>.Zero), max) + Vector256.Create(0.5f)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Pack(Vector512<float> v, Vector512<float> max) =>
        Vector512.ConvertToInt32Native(Vector512.MinNative(Vector512.MaxNative(v, Vector512<float>.Zero), max) + Vector512.Create(0.5f)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Gather(float* table, Vector256<int> index)
    {
        if (Avx2.IsSupported) return Avx2.GatherVector256(table, index, 4);
        return Vector256.Create(table[index[0]], table[index[1]], table[index[2]], table[index[3]],
            table[index[4]], table[index[5]], table[index[6]], table[index[7]]);
    }

    /// <summary>The 512-bit loop evaluates the log (<see cref="LogTransform.Ln(Vector512{int})"/>), the 256-bit
    /// loop looks it up in the table built from the same function: the same values either way. On Zen 4 the
    /// gathers took most of this pass and the 512-bit evaluation costs about half as much (.NET has no 512-bit
    /// gather); at 256 bits the evaluation has twice the instructions per pixel and measured ~20 % slower than
    /// the gathers, so machines without AVX-512 (and band tails) keep them.</summary>
    private void LogStage(int start, int end)
    {
        var calibration = _calibration!;
        ushort* raw = _raw;
        ushort[] dark = calibration.Dark, gain = calibration.Gain;
        ref ushort output = ref _output[0];
        int i = start;
        if (Wide)
        {
            var q = new FixedPoint512(calibration);
            var max = Vector512.Create(_k.MaxValue);
            for (; i + 32 <= end; i += 32)
            {
                var (lo, hi) = Corrected512(raw, dark, gain, i, q);
                var c0 = ToPixel(lo, q).AsInt32();
                var c1 = ToPixel(hi, q).AsInt32();
                var a = LogOutput(Vector512.ConvertToSingle(c0), LogTransform.Ln(c0), i);
                var b = LogOutput(Vector512.ConvertToSingle(c1), LogTransform.Ln(c1), i + 16);
                Vector512.Narrow(Pack(a, max), Pack(b, max)).StoreUnsafe(ref output, (nuint)i);
            }
        }
        var q256 = new FixedPoint256(calibration);
        var max256 = Vector256.Create(_k.MaxValue);
        fixed (float* log = _log)
        {
            for (; i < end; i += 16)
            {
                var (lo, hi) = Corrected(raw, dark, gain, i, q256);
                var c0 = ToPixel(lo, q256).AsInt32();
                var c1 = ToPixel(hi, q256).AsInt32();
                var a = LogOutput(Vector256.ConvertToSingle(c0), Gather(log, c0), i);
                var b = LogOutput(Vector256.ConvertToSingle(c1), Gather(log, c1), i + 8);
                Vector256.Narrow(Pack(a, max256), Pack(b, max256)).StoreUnsafe(ref output, (nuint)i);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> LogOutput(Vector256<float> c, Vector256<float> l, int i)
    {
        ref float mask = ref _mask[0];
        ref float peak = ref _peak[0];
        switch (_k.Stage)
        {
            case PixelStage.Subtract:
                return Vector256.Create(_k.SubtractionOffset) + Vector256.Create(_k.SubtractionGain) * (l - Vector256.LoadUnsafe(ref mask, (nuint)i));
            case PixelStage.RoadmapMask:
                (Vector256.LoadUnsafe(ref mask, (nuint)i) + l).StoreUnsafe(ref mask, (nuint)i);
                return c;
            case PixelStage.RoadmapPeak:
                var p = Vector256.Min(Vector256.LoadUnsafe(ref peak, (nuint)i), l - Vector256.LoadUnsafe(ref mask, (nuint)i));
                p.StoreUnsafe(ref peak, (nuint)i);
                return c + Vector256.Create(_k.OverlayGain) * p;
            default:
                return c + Vector256.Create(_k.OverlayGain) * Vector256.LoadUnsafe(ref peak, (nuint)i);
        }
    }

    /// <inheritdoc cref="LogOutput(Vector256{float}, Vector256{float}, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<float> LogOutput(Vector512<float> c, Vector512<float> l, int i)
    {
        ref float mask = ref _mask[0];
        ref float peak = ref _peak[0];
        switch (_k.Stage)
        {
            case PixelStage.Subtract:
                return Vector512.Create(_k.SubtractionOffset) + Vector512.Create(_k.SubtractionGain) * (l - Vector512.LoadUnsafe(ref mask, (nuint)i));
            case PixelStage.RoadmapMask:
                (Vector512.LoadUnsafe(ref mask, (nuint)i) + l).StoreUnsafe(ref mask, (nuint)i);
                return c;
            case PixelStage.RoadmapPeak:
                var p = Vector512.Min(Vector512.LoadUnsafe(ref peak, (nuint)i), l - Vector512.LoadUnsafe(ref mask, (nuint)i));
                p.StoreUnsafe(ref peak, (nuint)i);
                return c + Vector512.Create(_k.OverlayGain) * p;
            default:
                return c + Vector512.Create(_k.OverlayGain) * Vector512.LoadUnsafe(ref peak, (nuint)i);
        }
    }

    /// <summary>The fixed-point calibration's constants, broadcast once per band for the 256-bit loops.</summary>
    private readonly struct FixedPoint256(FixedPointCalibration q)
    {
        public readonly int FractionBits = q.FractionBits;
        public readonly int GainShift = q.GainShift;
        public readonly Vector256<ushort> RawMax = Vector256.Create((ushort)(q.MaxQ >> q.FractionBits));
        public readonly Vector256<uint> Round = Vector256.Create(q.GainShift == 0 ? 0u : 1u << (q.GainShift - 1));
        public readonly Vector256<uint> MaxQ = Vector256.Create((uint)q.MaxQ);
        public readonly Vector256<uint> Half = Vector256.Create((uint)((1 << q.FractionBits) >> 1));
    }

    /// <summary>The same for the 512-bit loop.</summary>
    private readonly struct FixedPoint512(FixedPointCalibration q)
    {
        public readonly int FractionBits = q.FractionBits;
        public readonly int GainShift = q.GainShift;
        public readonly Vector512<ushort> RawMax = Vector512.Create((ushort)(q.MaxQ >> q.FractionBits));
        public readonly Vector512<uint> Round = Vector512.Create(q.GainShift == 0 ? 0u : 1u << (q.GainShift - 1));
        public readonly Vector512<uint> MaxQ = Vector512.Create((uint)q.MaxQ);
        public readonly Vector512<uint> Half = Vector512.Create((uint)((1 << q.FractionBits) >> 1));
    }
}
