using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CathLab.Processing.Cpu;

/// <summary>Box-averages the 8-bit display frame by 2 or 4 with integer rounding: out = (sum + n/2) / n,
/// 32 input bytes per row per step (128 for the 2x with 512-bit vectors): byte pairs (or quads) are summed inside
/// 16-bit (32-bit) lanes.</summary>
internal sealed unsafe class DownscalePass(int width) : BandJob
{
    private byte* _display;
    private byte* _reduced;
    private int _factor;

    public void Prepare(byte* display, byte* reduced, int factor)
    {
        _display = display;
        _reduced = reduced;
        _factor = factor;
    }

    public override void Execute(int band, int y0, int y1) => Rows(y0, y1);

    /// <summary>The reduced rows made from display rows [<paramref name="y0"/>, <paramref name="y1"/>), both multiples of the factor.</summary>
    public void Rows(int y0, int y1)
    {
        if (_factor == 2) Half(y0, y1);
        else Quarter(y0, y1);
    }

    private void Half(int y0, int y1)
    {
        int rw = width / 2;
        var low = Vector256.Create((ushort)0xFF);
        var two = Vector256.Create((ushort)2);
        for (int ry = y0 / 2; ry < y1 / 2; ry++)
        {
            byte* a = _display + (long)(2 * ry) * width, b = a + width;
            byte* dst = _reduced + (long)ry * rw;
            int x = Vector512.IsHardwareAccelerated && Avx512BW.IsSupported ? Half512(a, b, dst) : 0;
            for (; x + 64 <= width; x += 64)
            {
                var s0 = PairSums(a + x, low) + PairSums(b + x, low) + two;
                var s1 = PairSums(a + x + 32, low) + PairSums(b + x + 32, low) + two;
                Vector256.Narrow(s0 >>> 2, s1 >>> 2).Store(dst + x / 2);
            }
            for (; x < width; x += 2) dst[x / 2] = (byte)((a[x] + a[x + 1] + b[x] + b[x + 1] + 2) / 4);
        }
    }

    /// <summary>128 bytes of two rows a step with 512-bit vectors: each byte pair summed by one multiply-add with
    /// ones (vpmaddubsw), the two rows' sums added, rounded and shifted in 16 bits, packed back to bytes in-lane
    /// and put in order by one 64-bit permute; returns where it stopped.</summary>
    private int Half512(byte* a, byte* b, byte* dst)
    {
        var ones = Vector512.Create((sbyte)1);
        var two = Vector512.Create((short)2);
        var order = Vector512.Create(0ul, 2, 4, 6, 1, 3, 5, 7);
        int x = 0;
        for (; x + 128 <= width; x += 128)
        {
            var s0 = Avx512BW.MultiplyAddAdjacent(Vector512.Load(a + x), ones) + Avx512BW.MultiplyAddAdjacent(Vector512.Load(b + x), ones) + two;
            var s1 = Avx512BW.MultiplyAddAdjacent(Vector512.Load(a + x + 64), ones) + Avx512BW.MultiplyAddAdjacent(Vector512.Load(b + x + 64), ones) + two;
            var packed = Avx512BW.PackUnsignedSaturate(s0 >>> 2, s1 >>> 2);
            Avx512F.PermuteVar8x64(packed.AsUInt64(), order).Store((ulong*)(dst + x / 2));
        }
        return x;
    }

    private static Vector256<ushort> PairSums(byte* p, Vector256<ushort> low)
    {
        var v = Vector256.Load((ushort*)p);
        return (v & low) + (v >>> 8);
    }

    private void Quarter(int y0, int y1)
    {
        int rw = width / 4;
        var low = Vector256.Create(0xFFu);
        var eight = Vector256.Create(8u);
        for (int ry = y0 / 4; ry < y1 / 4; ry++)
        {
            byte* r0 = _display + (long)(4 * ry) * width;
            byte* dst = _reduced + (long)ry * rw;
            int x = 0;
            for (; x + 128 <= width; x += 128)
            {
                var q0 = QuadSums(r0 + x, width, low) + eight;
                var q1 = QuadSums(r0 + x + 32, width, low) + eight;
                var q2 = QuadSums(r0 + x + 64, width, low) + eight;
                var q3 = QuadSums(r0 + x + 96, width, low) + eight;
                var words0 = Vector256.Narrow(q0 >>> 4, q1 >>> 4);
                var words1 = Vector256.Narrow(q2 >>> 4, q3 >>> 4);
                Vector256.Narrow(words0, words1).Store(dst + x / 4);
            }
            for (; x < width; x += 4)
            {
                int sum = 0;
                for (int dy = 0; dy < 4; dy++)
                    for (int dx = 0; dx < 4; dx++) sum += r0[dy * width + x + dx];
                dst[x / 4] = (byte)((sum + 8) / 16);
            }
        }
    }

    // Sums of each 4x4 block whose top-left byte lies in the 32 bytes at p: 8 sums.
    private static Vector256<uint> QuadSums(byte* p, int width, Vector256<uint> low)
    {
        var sum = Vector256<uint>.Zero;
        for (int dy = 0; dy < 4; dy++)
        {
            var v = Vector256.Load((uint*)(p + dy * width));
            sum += (v & low) + ((v >>> 8) & low) + ((v >>> 16) & low) + (v >>> 24);
        }
        return sum;
    }
}
