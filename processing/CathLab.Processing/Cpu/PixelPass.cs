using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CathLab.Processing.Calibration;
using CathLab.Processing.Pipeline;

namespace CathLab.Processing.Cpu;

/// <summary>The fused per-pixel first pass of every chain, 16 pixels per step with 256-bit vectors:
/// fixed-point offset and gain (<see cref="FixedPointCalibration"/>), then the stage's own step. Each
/// arithmetic step mirrors Kernels/pixel.cl operation for operation (integers where they can be, floats
/// without fused multiply-add), so the two backends produce the same values.</summary>
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
    private float _varianceSlope, _varianceIntercept;

    public PixelPass(int width, ushort[] state, float[] mask, float[] peak, ushort[] output)
    {
        _width = width;
        _state = state;
        _mask = mask;
        _peak = peak;
        _output = output;
        _log = Subtraction.LogTransform.Table;
    }

    public void SetCalibration(FixedPointCalibration calibration) => _calibration = calibration;

    /// <summary>The raw frame, pinned by the caller for the duration of the pass.</summary>
    public void Prepare(ushort* raw, in ChainConstants k)
    {
        _raw = raw;
        _k = k;
        (_varianceSlope, _varianceIntercept) = k.DifferenceVarianceQ(_calibration!.FractionBits);
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

    /// <summary>Corrected values in Q(F) of the 16 pixels from <paramref name="i"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> Lower, Vector256<uint> Upper) Corrected(ushort* raw, ushort[] dark, ushort[] gain, int i,
        Vector256<ushort> rawMax, int fractionBits, Vector256<uint> round, int gainShift, Vector256<uint> maxQ)
    {
        var r = Vector256.ShiftLeft(Vector256.Min(Vector256.Load(raw + i), rawMax), fractionBits);
        var d = Vector256.LoadUnsafe(ref dark[0], (nuint)i);
        var offset = Vector256.Max(r, d) - d;
        var g = Vector256.LoadUnsafe(ref gain[0], (nuint)i);
        var (ol, oh) = Vector256.Widen(offset);
        var (gl, gh) = Vector256.Widen(g);
        var lower = Vector256.Min(Vector256.ShiftRightLogical(ol * gl + round, gainShift), maxQ);
        var upper = Vector256.Min(Vector256.ShiftRightLogical(oh * gh + round, gainShift), maxQ);
        return (lower, upper);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> RoundQ(Vector256<uint> lower, Vector256<uint> upper, Vector256<uint> half, int fractionBits) =>
        Vector256.Narrow(Vector256.ShiftRightLogical(lower + half, fractionBits), Vector256.ShiftRightLogical(upper + half, fractionBits));

    private void Calibrate(int start, int end)
    {
        var q = _calibration!;
        int f = q.FractionBits, s = q.GainShift;
        var rawMax = Vector256.Create((ushort)(q.MaxQ >> f));
        var round = Vector256.Create(s == 0 ? 0u : 1u << (s - 1));
        var maxQ = Vector256.Create((uint)q.MaxQ);
        var half = Vector256.Create((uint)((1 << f) >> 1));
        ushort* raw = _raw;
        ushort[] dark = q.Dark, gain = q.Gain;
        ref ushort output = ref _output[0];
        for (int i = start; i < end; i += 16)
        {
            var (lo, hi) = Corrected(raw, dark, gain, i, rawMax, f, round, s, maxQ);
            RoundQ(lo, hi, half, f).StoreUnsafe(ref output, (nuint)i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Gather(float* table, Vector256<int> index)
    {
        if (Avx2.IsSupported) return Avx2.GatherVector256(table, index, 4);
        return Vector256.Create(table[index[0]], table[index[1]], table[index[2]], table[index[3]],
            table[index[4]], table[index[5]], table[index[6]], table[index[7]]);
    }

    /// <summary>y + a (x - y) with a from the motion test |d| / sigma_d; returns the new state in Q(F).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Recursive(Vector256<int> x, Vector256<int> y, Vector256<float> maxQ)
    {
        var d = Vector256.ConvertToSingle(x - y);
        var yf = Vector256.ConvertToSingle(y);
        var variance = Vector256.Create(_varianceSlope) * yf + Vector256.Create(_varianceIntercept);
        var ratio = Vector256.Sqrt((d * d) / variance);
        var ramp = (ratio - Vector256.Create(_k.LowThreshold)) * Vector256.Create(_k.InverseThresholdSpan);
        ramp = Vector256.Min(Vector256.Max(ramp, Vector256<float>.Zero), Vector256<float>.One);
        var alpha = Vector256.Create(_k.AlphaMin) + Vector256.Create(_k.AlphaRamp) * ramp;
        var next = yf + alpha * d;
        return Vector256.ConvertToInt32Native(Vector256.Min(Vector256.Max(next, Vector256<float>.Zero), maxQ) + Vector256.Create(0.5f));
    }

    private void CalibrateRecursive(int start, int end)
    {
        var q = _calibration!;
        int f = q.FractionBits, s = q.GainShift;
        var rawMax = Vector256.Create((ushort)(q.MaxQ >> f));
        var round = Vector256.Create(s == 0 ? 0u : 1u << (s - 1));
        var maxQ = Vector256.Create((uint)q.MaxQ);
        var maxQf = Vector256.Create((float)q.MaxQ);
        var half = Vector256.Create((uint)((1 << f) >> 1));
        ushort* raw = _raw;
        ushort[] dark = q.Dark, gain = q.Gain;
        ref ushort output = ref _output[0];
        ref ushort state = ref _state[0];
        for (int i = start; i < end; i += 16)
        {
            var (lo, hi) = Corrected(raw, dark, gain, i, rawMax, f, round, s, maxQ);
            var (yl, yh) = Vector256.Widen(Vector256.LoadUnsafe(ref state, (nuint)i));
            var nl = Recursive(lo.AsInt32(), yl.AsInt32(), maxQf).AsUInt32();
            var nh = Recursive(hi.AsInt32(), yh.AsInt32(), maxQf).AsUInt32();
            Vector256.Narrow(nl, nh).StoreUnsafe(ref state, (nuint)i);
            RoundQ(nl, nh, half, f).StoreUnsafe(ref output, (nuint)i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Pack(Vector256<float> v, Vector256<float> max) =>
        Vector256.Min(Vector256.Max(v, Vector256<float>.Zero), max) + Vector256.Create(0.5f);

    private void LogStage(int start, int end)
    {
        var q = _calibration!;
        int f = q.FractionBits, s = q.GainShift;
        var rawMax = Vector256.Create((ushort)(q.MaxQ >> f));
        var round = Vector256.Create(s == 0 ? 0u : 1u << (s - 1));
        var maxQ = Vector256.Create((uint)q.MaxQ);
        var half = Vector256.Create((uint)((1 << f) >> 1));
        var max = Vector256.Create(_k.MaxValue);
        ushort* raw = _raw;
        ushort[] dark = q.Dark, gain = q.Gain;
        ref ushort output = ref _output[0];
        fixed (float* log = _log)
        {
            for (int i = start; i < end; i += 16)
            {
                var (lo, hi) = Corrected(raw, dark, gain, i, rawMax, f, round, s, maxQ);
                var c0 = Vector256.ShiftRightLogical(lo + half, f).AsInt32();
                var c1 = Vector256.ShiftRightLogical(hi + half, f).AsInt32();
                var a = LogOutput(Vector256.ConvertToSingle(c0), Gather(log, c0), i);
                var b = LogOutput(Vector256.ConvertToSingle(c1), Gather(log, c1), i + 8);
                var ia = Vector256.ConvertToInt32Native(Pack(a, max)).AsUInt32();
                var ib = Vector256.ConvertToInt32Native(Pack(b, max)).AsUInt32();
                Vector256.Narrow(ia, ib).StoreUnsafe(ref output, (nuint)i);
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
}
