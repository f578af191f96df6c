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

    /// <summary>The same 32 corrected values in the lane order of the in-lane unpacks: each 128-bit lane of
    /// <c>Lower</c> holds the lane's first 4 pixels of each 8, <c>Upper</c> the last 4, so <see cref="Pack"/>
    /// (an in-lane pack) restores pixel order. The 32-bit product comes from two 16-bit multiplies (low and
    /// high halves, the same bits) and in-lane unpacks, where widening both factors takes cross-lane moves and
    /// two 32-bit multiplies; the lane-wise arithmetic after it is the same as <see cref="Corrected512"/>'s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<uint> Lower, Vector512<uint> Upper) CorrectedInLane(ushort* raw, ushort* dark, ushort* gain, int i, in FixedPoint512 q)
    {
        var r = Avx512BW.ShiftLeftLogical(Vector512.Min(Vector512.Load(raw + i), q.RawMax), q.FractionCount.AsUInt16());
        var d = Vector512.Load(dark + i);
        var offset = Vector512.Max(r, d) - d;
        var g = Vector512.Load(gain + i);
        var low = Avx512BW.MultiplyLow(offset, g);
        var high = Avx512BW.MultiplyHigh(offset, g);
        var lower = Avx512F.ShiftRightLogical(Avx512BW.UnpackLow(low, high).AsUInt32() + q.Round, q.GainCount.AsUInt32());
        var upper = Avx512F.ShiftRightLogical(Avx512BW.UnpackHigh(low, high).AsUInt32() + q.Round, q.GainCount.AsUInt32());
        return (Vector512.Min(lower, q.MaxQ), Vector512.Min(upper, q.MaxQ));
    }

    /// <summary>Q(F) to pixel values, the shift by a count in a register (<see cref="ToPixel(Vector512{uint}, in FixedPoint512)"/>
    /// recomputes it from the integer each step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> ToPixelInLoop(Vector512<uint> value, in FixedPoint512 q) =>
        Avx512F.ShiftRightLogical(value + q.Half, q.FractionCount.AsUInt32());

    /// <summary>16-bit values in the unpacks' lane order (<see cref="CorrectedInLane"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<uint> Lower, Vector512<uint> Upper) WidenInLane(Vector512<ushort> v) =>
        (Avx512BW.UnpackLow(v, Vector512<ushort>.Zero).AsUInt32(), Avx512BW.UnpackHigh(v, Vector512<ushort>.Zero).AsUInt32());

    /// <summary>Back to pixel order from the unpacks' lane order; every value is at most 65535, so the
    /// saturating pack narrows exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> PackInLane(Vector512<uint> lower, Vector512<uint> upper) =>
        Avx512BW.PackUnsignedSaturate(lower.AsInt32(), upper.AsInt32());

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
            // Constants in locals and pointers, not fields and arrays: kept in registers, no bounds checks in the loop.
            var q = new FixedPoint512(calibration);
            fixed (ushort* darkQ = dark, gainQ = gain, pixels = _output)
            {
                for (; i + 32 <= end; i += 32)
                {
                    var (lo, hi) = CorrectedInLane(raw, darkQ, gainQ, i, q);
                    PackInLane(ToPixelInLoop(lo, q), ToPixelInLoop(hi, q)).Store(pixels + i);
                }
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

    private void CalibrateRecursive(int start, int end)
    {
        var calibration = _calibration!;
        float maxQ = calibration.MaxQ;
        ushort* raw = _raw;
        ushort[] dark = calibration.Dark, gain = calibration.Gain;
        ref ushort output = ref _output[0];
        ref ushort state = ref _state[0];
        int i = Wide ? CalibrateRecursive512(start, end) : start;
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

    /// <summary>The 512-bit steps of <see cref="CalibrateRecursive"/> from <paramref name="start"/>; returns where
    /// they stopped. The same operations as <see cref="Recursive(Vector256{int}, Vector256{int}, Vector256{float})"/>,
    /// with every constant broadcast once into a register (read from fields, they were reloaded each step, as
    /// the stores might change them) and the gain of a quiet vector, the same for every pixel, computed once
    /// (the same operations on a zero ratio).</summary>
    private int CalibrateRecursive512(int start, int end)
    {
        var calibration = _calibration!;
        var q = new FixedPoint512(calibration);
        var f = new RecursiveConstants512(this, calibration.MaxQ);
        bool skipQuiet = SkipQuiet;
        bool clamp = RecursiveConstants512.NeedsClamp(_k.AlphaMin, _k.AlphaRamp);
        ushort* raw = _raw;
        int i = start;
        fixed (ushort* dark = calibration.Dark, gain = calibration.Gain, state = _state, output = _output)
        {
            for (; i + 32 <= end; i += 32)
            {
                var (lo, hi) = CorrectedInLane(raw, dark, gain, i, q);
                var (yl, yh) = WidenInLane(Vector512.Load(state + i));
                var nl = f.Step(lo.AsInt32(), yl.AsInt32(), skipQuiet, clamp).AsUInt32();
                var nh = f.Step(hi.AsInt32(), yh.AsInt32(), skipQuiet, clamp).AsUInt32();
                PackInLane(nl, nh).Store(state + i);
                PackInLane(ToPixelInLoop(nl, q), ToPixelInLoop(nh, q)).Store(output + i);
            }
        }
        return i;
    }

    /// <summary>The recursive filter's constants as 512-bit registers, for <see cref="CalibrateRecursive512"/>.</summary>
    private readonly struct RecursiveConstants512
    {
        private readonly Vector512<float> _slope, _intercept, _quietBound, _low, _inverseSpan, _alphaMin, _alphaRamp, _quietAlpha, _max;

        public RecursiveConstants512(PixelPass pass, float maxQ)
        {
            _slope = Vector512.Create(pass._varianceSlope);
            _intercept = Vector512.Create(pass._varianceIntercept);
            _quietBound = Vector512.Create(pass._quietBound);
            _low = Vector512.Create(pass._k.LowThreshold);
            _inverseSpan = Vector512.Create(pass._k.InverseThresholdSpan);
            _alphaMin = Vector512.Create(pass._k.AlphaMin);
            _alphaRamp = Vector512.Create(pass._k.AlphaRamp);
            _max = Vector512.Create(maxQ);
            _quietAlpha = Alpha(Vector512<float>.Zero);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector512<float> Alpha(Vector512<float> ratio)
        {
            var ramp = (ratio - _low) * _inverseSpan;
            ramp = Vector512.MinNative(Vector512.MaxNative(ramp, Vector512<float>.Zero), Vector512<float>.One);
            return _alphaMin + _alphaRamp * ramp;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<int> Step(Vector512<int> x, Vector512<int> y, bool skipQuiet, bool clamp)
        {
            var d = Vector512.ConvertToSingle(x - y);
            var yf = Vector512.ConvertToSingle(y);
            var variance = _slope * yf + _intercept;
            var d2 = d * d;
            var alpha = skipQuiet && Vector512.LessThanAll(d2, _quietBound * variance)
                ? _quietAlpha
                : Alpha(Vector512.Sqrt(d2 / variance));
            var next = yf + alpha * d;
            if (clamp) next = Vector512.MinNative(Vector512.MaxNative(next, Vector512<float>.Zero), _max);
            return Vector512.ConvertToInt32Native(next + Vector512.Create(0.5f));
        }

        /// <summary>Whether the new state needs its clamp to [0, max]: not when every gain lies in [0, 1], as
        /// then y + a (x - y) lies between x and y, both in range, even rounded (each rounding is monotonic:
        /// a d is between 0 and d, y + a d between y and y + d = x, exact integers in float). The gain runs from
        /// AlphaMin to AlphaMin + AlphaRamp (the ramp is in [0, 1]; rounded, between the two ends as well).</summary>
        public static bool NeedsClamp(float alphaMin, float alphaRamp)
        {
            float end = alphaMin + alphaRamp;
            return !(alphaMin >= 0f && alphaMin <= 1f && end >= 0f && end <= 1f);
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
    /// loop looks it up in the table built from the same function: the same values either way. On Zen 5 the
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
        public readonly Vector128<ulong> FractionCount = Vector128.CreateScalar((ulong)q.FractionBits);
        public readonly Vector128<ulong> GainCount = Vector128.CreateScalar((ulong)q.GainShift);
    }
}
