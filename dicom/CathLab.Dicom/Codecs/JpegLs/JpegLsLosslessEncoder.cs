using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CathLab.Dicom.Codecs.JpegLs;

/// <summary>
/// A JPEG-LS encoder of our own (ITU-T T.87, lossless: NEAR 0, one component, default thresholds, RESET 64), written
/// from the standard: regular mode with the 365 contexts and bias correction, run mode with run interruption, limited
/// Golomb codes. Lossless coding predicts from the original samples, so each row's context indices and predictions are
/// worked out before the serial part (context statistics and the bit stream), which keeps that part short.
/// </summary>
internal static class JpegLsLosslessEncoder
{
    private const int Reset = 64;
    private const int MinC = -128, MaxC = 127;
    private static readonly int[] J = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15];

    /// <summary>Encodes one grey frame of 8-bit (<paramref name="wide"/> false) or little-endian 16-bit samples of
    /// precision <paramref name="bits"/>; returns the codestream's length, padded to even with a fill byte before EOI.</summary>
    public static int Encode(ReadOnlySpan<byte> frame, int rows, int columns, int bits, bool wide, Span<byte> destination)
    {
        var pos = WriteHeaders(destination, rows, columns, bits);
        var maxVal = (1 << bits) - 1;
        var range = maxVal + 1;
        var qbpp = bits;
        var limit = 2 * (Math.Max(2, bits) + Math.Max(8, bits));

        // Per context A, B, C, N side by side (one cache line holds four contexts); Nn of the two run contexts apart.
        Span<int> stats = stackalloc int[367 * 4];
        Span<int> nn = stackalloc int[2];
        var initialA = Math.Max(2, (range + 32) / 64);
        for (var q = 0; q < 367; q++)
        {
            stats[4 * q] = initialA;
            stats[4 * q + 1] = 0;
            stats[4 * q + 2] = 0;
            stats[4 * q + 3] = 1;
        }
        nn.Clear();

        var rowLength = columns + 2;
        var buffers = ArrayPool<int>.Shared.Rent(4 * rowLength);
        try
        {
            return EncodeScan(frame, rows, columns, wide, destination, pos, buffers.AsSpan(0, 4 * rowLength), stats, nn, maxVal, range, qbpp, limit, Thresholds(bits));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buffers);
        }
    }

    private static int EncodeScan(ReadOnlySpan<byte> frame, int rows, int columns, bool wide, Span<byte> destination, int pos, Span<int> buffers,
        Span<int> stats, Span<int> nn, int maxVal, int range, int qbpp, int limit, (int T1, int T2, int T3) thresholds)
    {
        ref var stat0 = ref MemoryMarshal.GetReference(stats);
        var rowLength = columns + 2;
        buffers.Clear();
        var prev = buffers[..rowLength];
        var cur = buffers.Slice(rowLength, rowLength);
        var context = buffers.Slice(2 * rowLength, rowLength);
        var predicted = buffers.Slice(3 * rowLength, rowLength);
        var bitsOut = new JpegLsBitWriter(destination, pos);
        var runIndex = 0;
        var narrow = frame;
        var samples16 = wide ? MemoryMarshal.Cast<byte, ushort>(frame) : default;
        var prevFirst = 0;

        for (var y = 0; y < rows; y++)
        {
            // cur[1..columns] is this row; cur[0] = the sample above the first (Ra of the first), prev[0] = Rc of the first.
            if (wide) for (var x = 0; x < columns; x++) cur[x + 1] = samples16[y * columns + x];
            else for (var x = 0; x < columns; x++) cur[x + 1] = narrow[y * columns + x];
            prev[0] = prevFirst;
            prevFirst = prev[1];
            cur[0] = prev[1];
            prev[columns + 1] = prev[columns];
            Contexts(prev, cur, context, predicted, columns, thresholds);

            // The serial part reads these rows by reference: every index is within 0..columns + 1 by construction.
            ref var curAt = ref MemoryMarshal.GetReference(cur);
            ref var prevAt = ref MemoryMarshal.GetReference(prev);
            ref var contextAt = ref MemoryMarshal.GetReference(context);
            ref var predictedAt = ref MemoryMarshal.GetReference(predicted);
            var i = 1;
            while (i <= columns)
            {
                var q = Unsafe.Add(ref contextAt, i);
                if (q != 0)
                {
                    var sign = q >> 31 | 1;
                    ref var st = ref Unsafe.Add(ref stat0, 4 * (q * sign));
                    ref var a = ref st;
                    ref var b = ref Unsafe.Add(ref st, 1);
                    ref var c = ref Unsafe.Add(ref st, 2);
                    ref var n = ref Unsafe.Add(ref st, 3);
                    var px = Unsafe.Add(ref predictedAt, i) + sign * c;
                    px = px < 0 ? 0 : px > maxVal ? maxVal : px;
                    var err = (Unsafe.Add(ref curAt, i) - px) * sign;
                    if (err < 0) err += range;
                    if (err >= (range + 1) >> 1) err -= range;

                    var nq = n;
                    var k = GolombK(a, nq);
                    var mapped = k == 0 && 2 * b <= -nq
                        ? (err >= 0 ? 2 * err + 1 : -2 * (err + 1))
                        : (err >= 0 ? 2 * err : -2 * err - 1);
                    Golomb(ref bitsOut, mapped, k, limit, qbpp);

                    var bq = b + err;
                    a += err < 0 ? -err : err;
                    if (nq == Reset)
                    {
                        a >>= 1;
                        bq >>= 1;
                        nq >>= 1;
                    }
                    nq++;
                    n = nq;
                    if (bq <= -nq)
                    {
                        bq += nq;
                        if (c > MinC) c--;
                        if (bq <= -nq) bq = -nq + 1;
                    }
                    else if (bq > 0)
                    {
                        bq -= nq;
                        if (c < MaxC) c++;
                        if (bq > 0) bq = 0;
                    }
                    b = bq;
                    i++;
                    continue;
                }

                // Run mode: samples equal to Ra, to the end of the row or an interruption.
                var runValue = Unsafe.Add(ref curAt, i - 1);
                var end = i;
                while (end <= columns && Unsafe.Add(ref curAt, end) == runValue) end++;
                var run = end - i;
                while (run >= 1 << J[runIndex])
                {
                    bitsOut.Append(1, 1);
                    run -= 1 << J[runIndex];
                    if (runIndex < 31) runIndex++;
                }
                if (end > columns)
                {
                    if (run > 0) bitsOut.Append(1, 1);
                    break;
                }
                bitsOut.Append((uint)run, J[runIndex] + 1);

                var rai = Unsafe.Add(ref curAt, end - 1);
                var rbi = Unsafe.Add(ref prevAt, end);
                var riType = rai == rbi ? 1 : 0;
                var pxi = riType == 1 ? rai : rbi;
                var erri = Unsafe.Add(ref curAt, end) - pxi;
                if (riType == 0 && rai > rbi) erri = -erri;
                if (erri < 0) erri += range;
                if (erri >= (range + 1) >> 1) erri -= range;
                ref var sti = ref Unsafe.Add(ref stat0, 4 * (365 + riType));
                ref var ai = ref sti;
                ref var ni = ref Unsafe.Add(ref sti, 3);
                var temp = riType == 1 ? ai + (ni >> 1) : ai;
                var ki = GolombK(temp, ni);
                var map = (ki == 0 && erri > 0 && 2 * nn[riType] < ni) || (erri < 0 && 2 * nn[riType] >= ni) || (erri < 0 && ki != 0) ? 1 : 0;
                var emErr = 2 * (erri < 0 ? -erri : erri) - riType - map;
                Golomb(ref bitsOut, emErr, ki, limit - J[runIndex] - 1, qbpp);
                if (erri < 0) nn[riType]++;
                ai += (emErr + 1 - riType) >> 1;
                if (ni == Reset)
                {
                    ai >>= 1;
                    ni >>= 1;
                    nn[riType] >>= 1;
                }
                ni++;
                if (runIndex > 0) runIndex--;
                i = end + 1;
            }
            var swap = prev;
            prev = cur;
            cur = swap;
        }
        bitsOut.Flush();
        pos = bitsOut.Position;
        if ((pos & 1) == 1) destination[pos++] = 0xFF; // a fill byte before the marker keeps the fragment even
        destination[pos++] = 0xFF;
        destination[pos++] = 0xD9;
        return pos;
    }

    /// <summary>Each sample's context: 0 for run mode, else ±(81 Q1 + 9 Q2 + Q3), the sign that of the first non-zero Qi
    /// (T.87 A.3), a vector of samples at a time: the gradients are of original samples, known before any is coded.</summary>
    private static void Contexts(ReadOnlySpan<int> prev, ReadOnlySpan<int> cur, Span<int> context, Span<int> predicted, int columns, (int T1, int T2, int T3) t)
    {
        var i = 1;
        if (Vector.IsHardwareAccelerated)
        {
            var t1 = new Vector<int>(t.T1);
            var t2 = new Vector<int>(t.T2);
            var t3 = new Vector<int>(t.T3);
            var nine = new Vector<int>(9);
            for (; i + Vector<int>.Count <= columns + 1; i += Vector<int>.Count)
            {
                var ra = new Vector<int>(cur[(i - 1)..]);
                var rb = new Vector<int>(prev[i..]);
                var rc = new Vector<int>(prev[(i - 1)..]);
                var rd = new Vector<int>(prev[(i + 1)..]);
                var q = (Quantize(rd - rb, t1, t2, t3) * nine + Quantize(rb - rc, t1, t2, t3)) * nine + Quantize(rc - ra, t1, t2, t3);
                q.CopyTo(context[i..]);
                // The median edge detector (T.87 A.4.1): min(a, b) where c ≥ max(a, b), max(a, b) where c ≤ min(a, b), else a + b − c.
                var max = Vector.Max(ra, rb);
                var min = Vector.Min(ra, rb);
                var px = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(rc, max), min,
                    Vector.ConditionalSelect(Vector.LessThanOrEqual(rc, min), max, ra + rb - rc));
                px.CopyTo(predicted[i..]);
            }
        }
        for (; i <= columns; i++)
        {
            context[i] = (Quantize(prev[i + 1] - prev[i], t) * 9 + Quantize(prev[i] - prev[i - 1], t)) * 9 + Quantize(prev[i - 1] - cur[i - 1], t);
            predicted[i] = Med(cur[i - 1], prev[i], prev[i - 1]);
        }
    }

    // Comparisons give −1 for true: the count of thresholds d reaches upwards, less the count it reaches downwards.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<int> Quantize(Vector<int> d, Vector<int> t1, Vector<int> t2, Vector<int> t3)
    {
        var up = Vector.GreaterThan(d, Vector<int>.Zero) + Vector.GreaterThanOrEqual(d, t1) + Vector.GreaterThanOrEqual(d, t2) + Vector.GreaterThanOrEqual(d, t3);
        var down = Vector.LessThan(d, Vector<int>.Zero) + Vector.LessThanOrEqual(d, -t1) + Vector.LessThanOrEqual(d, -t2) + Vector.LessThanOrEqual(d, -t3);
        return down - up;
    }

    private static int Quantize(int d, (int T1, int T2, int T3) t) =>
        d <= -t.T3 ? -4 : d <= -t.T2 ? -3 : d <= -t.T1 ? -2 : d < 0 ? -1 : d == 0 ? 0 : d < t.T1 ? 1 : d < t.T2 ? 2 : d < t.T3 ? 3 : 4;

    /// <summary>The least k with N·2^k ≥ A: from the two logarithms, and one step up where they fall short.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int GolombK(int a, int n)
    {
        var k = BitOperations.Log2((uint)a) - BitOperations.Log2((uint)n);
        if (k < 0) k = 0;
        return (n << k) < a ? k + 1 : k;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Med(int ra, int rb, int rc)
    {
        var max = ra > rb ? ra : rb;
        var min = ra > rb ? rb : ra;
        return rc >= max ? min : rc <= min ? max : ra + rb - rc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Golomb(ref JpegLsBitWriter output, int value, int k, int limit, int qbpp)
    {
        var high = value >> k;
        if (high < limit - qbpp - 1)
        {
            if (high + 1 + k <= 32)
            {
                output.Append(((1u << k) | (uint)(value & ((1 << k) - 1))), high + 1 + k);
                return;
            }
            output.AppendZeros(high);
            output.Append(1, 1);
            if (k > 0) output.Append((uint)(value & ((1 << k) - 1)), k);
            return;
        }
        output.AppendZeros(limit - qbpp - 1);
        output.Append(1, 1);
        output.Append((uint)(value - 1) & ((1u << qbpp) - 1), qbpp);
    }

    /// <summary>T.87 C.2.4.1.1's default thresholds for NEAR 0.</summary>
    private static (int T1, int T2, int T3) Thresholds(int bits)
    {
        var maxVal = (1 << bits) - 1;
        if (maxVal >= 128)
        {
            var factor = (Math.Min(maxVal, 4095) + 128) >> 8;
            var t1 = Math.Clamp(factor * (3 - 2) + 2, 1, maxVal);
            var t2 = Math.Clamp(factor * (7 - 3) + 3, t1, maxVal);
            return (t1, t2, Math.Clamp(factor * (21 - 4) + 4, t2, maxVal));
        }
        var f = 256 / (maxVal + 1);
        var s1 = Math.Clamp(Math.Max(2, 3 / f), 1, maxVal);
        var s2 = Math.Clamp(Math.Max(3, 7 / f), s1, maxVal);
        return (s1, s2, Math.Clamp(Math.Max(4, 21 / f), s2, maxVal));
    }

    private static int WriteHeaders(Span<byte> d, int rows, int columns, int bits)
    {
        ReadOnlySpan<byte> soi = [0xFF, 0xD8];
        soi.CopyTo(d);
        // SOF55: Lf 11, P, Y, X, Nf 1, component 1 sampled 1x1, Tq 0
        d[2] = 0xFF;
        d[3] = 0xF7;
        BinaryPrimitives.WriteUInt16BigEndian(d[4..], 11);
        d[6] = (byte)bits;
        BinaryPrimitives.WriteUInt16BigEndian(d[7..], (ushort)rows);
        BinaryPrimitives.WriteUInt16BigEndian(d[9..], (ushort)columns);
        d[11] = 1;
        d[12] = 1;
        d[13] = 0x11;
        d[14] = 0;
        // SOS: Ls 8, Ns 1, component 1, no mapping table, NEAR 0, ILV 0, point transform 0
        d[15] = 0xFF;
        d[16] = 0xDA;
        BinaryPrimitives.WriteUInt16BigEndian(d[17..], 8);
        d[19] = 1;
        d[20] = 1;
        d[21] = 0;
        d[22] = 0;
        d[23] = 0;
        d[24] = 0;
        return 25;
    }
}
