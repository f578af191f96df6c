using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CathLab.Processing.Pipeline;

namespace CathLab.Processing.Cpu;

/// <summary>The fused per-pixel first pass of every chain, 16 pixels per step with 256-bit vectors.
/// Each arithmetic step mirrors Kernels/pixel.cl operation for operation (no fused multiply-add), so
/// the two backends produce the same floats.</summary>
internal sealed unsafe class PixelPass : BandJob
{
    private readonly int _width;
    private readonly float[] _dark;
    private readonly float[] _gain;
    private readonly float[] _state;
    private readonly float[] _mask;
    private readonly float[] _peak;
    private readonly float[] _log;
    private ushort* _raw;
    private readonly ushort[] _output;
    private ChainConstants _k;

    public PixelPass(int width, float[] dark, float[] gain, float[] state, float[] mask, float[] peak, ushort[] output)
    {
        _width = width;
        _dark = dark;
        _gain = gain;
        _state = state;
        _mask = mask;
        _peak = peak;
        _output = output;
        _log = Subtraction.LogTransform.Table;
    }

    /// <summary>The raw frame, pinned by the caller for the duration of the pass.</summary>
    public void Prepare(ushort* raw, in ChainConstants k)
    {
        _raw = raw;
        _k = k;
    }

    public override void Execute(int band, int y0, int y1)
    {
        int start = y0 * _width, end = y1 * _width;
        switch (_k.Stage)
        {
            case PixelStage.Calibrate: Calibrate(start, end); break;
            case PixelStage.CalibrateRecursive: CalibrateRecursive(start, end); break;
            default: LogStage(start, end); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> Pack(Vector256<float> a, Vector256<float> b, Vector256<float> max)
    {
        var half = Vector256.Create(0.5f);
        var ia = Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(a, Vector256<float>.Zero), max) + half);
        var ib = Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(b, Vector256<float>.Zero), max) + half);
        return Vector256.Narrow(ia.AsUInt32(), ib.AsUInt32());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Lower(Vector256<ushort> v) => Vector256.ConvertToSingle(Vector256.WidenLower(v).AsInt32());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Upper(Vector256<ushort> v) => Vector256.ConvertToSingle(Vector256.WidenUpper(v).AsInt32());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> Corrected(Vector256<float> raw, int i, Vector256<float> max)
    {
        var c = (raw - Vector256.LoadUnsafe(ref _dark[0], (nuint)i)) * Vector256.LoadUnsafe(ref _gain[0], (nuint)i);
        return Vector256.Min(Vector256.Max(c, Vector256<float>.Zero), max);
    }

    private void Calibrate(int start, int end)
    {
        var max = Vector256.Create(_k.MaxValue);
        ushort* raw = _raw;
        ref ushort output = ref _output[0];
        for (int i = start; i < end; i += 16)
        {
            var r = Vector256.Load(raw + i);
            Pack(Corrected(Lower(r), i, max), Corrected(Upper(r), i + 8, max), max).StoreUnsafe(ref output, (nuint)i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> Recursive(Vector256<float> x, int i)
    {
        ref float state = ref _state[0];
        var y = Vector256.LoadUnsafe(ref state, (nuint)i);
        var d = x - y;
        var variance = Vector256.Create(_k.NoiseSlope) * y + Vector256.Create(_k.NoiseIntercept);
        var ratio = Vector256.Sqrt((d * d) / (variance * Vector256.Create(_k.DifferenceVarianceFactor)));
        var ramp = (ratio - Vector256.Create(_k.LowThreshold)) * Vector256.Create(_k.InverseThresholdSpan);
        ramp = Vector256.Min(Vector256.Max(ramp, Vector256<float>.Zero), Vector256<float>.One);
        var alpha = Vector256.Create(_k.AlphaMin) + Vector256.Create(_k.AlphaRamp) * ramp;
        var next = y + alpha * d;
        next.StoreUnsafe(ref state, (nuint)i);
        return next;
    }

    private void CalibrateRecursive(int start, int end)
    {
        var max = Vector256.Create(_k.MaxValue);
        ushort* raw = _raw;
        ref ushort output = ref _output[0];
        for (int i = start; i < end; i += 16)
        {
            var r = Vector256.Load(raw + i);
            var a = Recursive(Corrected(Lower(r), i, max), i);
            var b = Recursive(Corrected(Upper(r), i + 8, max), i + 8);
            Pack(a, b, max).StoreUnsafe(ref output, (nuint)i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Gather(float* table, Vector256<int> index)
    {
        if (Avx2.IsSupported) return Avx2.GatherVector256(table, index, 4);
        return Vector256.Create(table[index[0]], table[index[1]], table[index[2]], table[index[3]],
            table[index[4]], table[index[5]], table[index[6]], table[index[7]]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> LogPixels(Vector256<float> c, float* log) =>
        Gather(log, Vector256.ConvertToInt32(c + Vector256.Create(0.5f)));

    private void LogStage(int start, int end)
    {
        var max = Vector256.Create(_k.MaxValue);
        ushort* raw = _raw;
        ref ushort output = ref _output[0];
        fixed (float* log = _log)
        {
            for (int i = start; i < end; i += 16)
            {
                var r = Vector256.Load(raw + i);
                var c0 = Corrected(Lower(r), i, max);
                var c1 = Corrected(Upper(r), i + 8, max);
                var a = LogOutput(c0, LogPixels(c0, log), i);
                var b = LogOutput(c1, LogPixels(c1, log), i + 8);
                Pack(a, b, max).StoreUnsafe(ref output, (nuint)i);
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
