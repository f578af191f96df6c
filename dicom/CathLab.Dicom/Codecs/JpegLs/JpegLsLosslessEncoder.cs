using System.Buffers;
using System.Buffers.Binary;
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
    private static readonly sbyte[]?[] QuantTables = new sbyte[17][];

    /// <summary>Encodes one grey frame of 8-bit (<paramref name="wide"/> false) or little-endian 16-bit samples of
    /// precision <paramref name="bits"/>; returns the codestream's length, padded to even with a fill byte before EOI.</summary>
    public static int Encode(ReadOnlySpan<byte> frame, int rows, int columns, int bits, bool wide, Span<byte> destination)
    {
        var pos = WriteHeaders(destination, rows, columns, bits);
        var maxVal = (1 << bits) - 1;
        var range = maxVal + 1;
        var qbpp = bits;
        var limit = 2 * (Math.Max(2, bits) + Math.Max(8, bits));
        var quant = QuantTable(bits);

        Span<int> a = stackalloc int[367];
        Span<int> b = stackalloc int[367];
        Span<int> c = stackalloc int[367];
        Span<int> n = stackalloc int[367];
        Span<int> nn = stackalloc int[2];
        a.Fill(Math.Max(2, (range + 32) / 64));
        b.Clear();
        c.Clear();
        n.Fill(1);
        nn.Clear();

        var rowLength = columns + 2;
        var buffers = ArrayPool<int>.Shared.Rent(3 * rowLength);
        try
        {
            return EncodeScan(frame, rows, columns, wide, destination, pos, buffers.AsSpan(0, 3 * rowLength), a, b, c, n, nn, maxVal, range, qbpp, limit, quant);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buffers);
        }
    }

    private static int EncodeScan(ReadOnlySpan<byte> frame, int rows, int columns, bool wide, Span<byte> destination, int pos, Span<int> buffers,
        Span<int> a, Span<int> b, Span<int> c, Span<int> n, Span<int> nn, int maxVal, int range, int qbpp, int limit, sbyte[] quant)
    {
        var quantOffset = range;
        var rowLength = columns + 2;
        buffers.Clear();
        var prev = buffers[..rowLength];
        var cur = buffers.Slice(rowLength, rowLength);
        var context = buffers.Slice(2 * rowLength, rowLength);
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
            Contexts(prev, cur, context, columns, quant, quantOffset);

            var i = 1;
            while (i <= columns)
            {
                var q = context[i];
                if (q != 0)
                {
                    var sign = q >> 31 | 1;
                    var ctx = q * sign;
                    var ra = cur[i - 1];
                    var rb = prev[i];
                    var rc = prev[i - 1];
                    var px = Med(ra, rb, rc) + sign * c[ctx];
                    px = px < 0 ? 0 : px > maxVal ? maxVal : px;
                    var err = (cur[i] - px) * sign;
                    if (err < 0) err += range;
                    if (err >= (range + 1) >> 1) err -= range;

                    var nq = n[ctx];
                    var k = 0;
                    while ((nq << k) < a[ctx]) k++;
                    var mapped = k == 0 && 2 * b[ctx] <= -nq
                        ? (err >= 0 ? 2 * err + 1 : -2 * (err + 1))
                        : (err >= 0 ? 2 * err : -2 * err - 1);
                    Golomb(ref bitsOut, mapped, k, limit, qbpp);

                    var bq = b[ctx] + err;
                    a[ctx] += err < 0 ? -err : err;
                    if (nq == Reset)
                    {
                        a[ctx] >>= 1;
                        bq >>= 1;
                        nq >>= 1;
                    }
                    nq++;
                    n[ctx] = nq;
                    if (bq <= -nq)
                    {
                        bq += nq;
                        if (c[ctx] > MinC) c[ctx]--;
                        if (bq <= -nq) bq = -nq + 1;
                    }
                    else if (bq > 0)
                    {
                        bq -= nq;
                        if (c[ctx] < MaxC) c[ctx]++;
                        if (bq > 0) bq = 0;
                    }
                    b[ctx] = bq;
                    i++;
                    continue;
                }

                // Run mode: samples equal to Ra, to the end of the row or an interruption.
                var runValue = cur[i - 1];
                var end = i;
                while (end <= columns && cur[end] == runValue) end++;
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

                var rai = cur[end - 1];
                var rbi = prev[end];
                var riType = rai == rbi ? 1 : 0;
                var pxi = riType == 1 ? rai : rbi;
                var erri = cur[end] - pxi;
                if (riType == 0 && rai > rbi) erri = -erri;
                if (erri < 0) erri += range;
                if (erri >= (range + 1) >> 1) erri -= range;
                var ctxi = 365 + riType;
                var temp = riType == 1 ? a[ctxi] + (n[ctxi] >> 1) : a[ctxi];
                var ni = n[ctxi];
                var ki = 0;
                while ((ni << ki) < temp) ki++;
                var map = (ki == 0 && erri > 0 && 2 * nn[riType] < ni) || (erri < 0 && 2 * nn[riType] >= ni) || (erri < 0 && ki != 0) ? 1 : 0;
                var emErr = 2 * (erri < 0 ? -erri : erri) - riType - map;
                Golomb(ref bitsOut, emErr, ki, limit - J[runIndex] - 1, qbpp);
                if (erri < 0) nn[riType]++;
                a[ctxi] += (emErr + 1 - riType) >> 1;
                if (ni == Reset)
                {
                    a[ctxi] >>= 1;
                    ni >>= 1;
                    nn[riType] >>= 1;
                }
                n[ctxi] = ni + 1;
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

    /// <summary>Each sample's context: 0 for run mode, else ±(81 Q1 + 9 Q2 + Q3), the sign that of the first non-zero Qi.</summary>
    private static void Contexts(ReadOnlySpan<int> prev, ReadOnlySpan<int> cur, Span<int> context, int columns, sbyte[] quant, int offset)
    {
        for (var i = 1; i <= columns; i++)
        {
            var ra = cur[i - 1];
            var rb = prev[i];
            var rc = prev[i - 1];
            var rd = prev[i + 1];
            context[i] = (quant[rd - rb + offset] * 9 + quant[rb - rc + offset]) * 9 + quant[rc - ra + offset];
        }
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

    /// <summary>T.87 C.2.4.1.1's default thresholds for NEAR 0, as a table from a gradient (offset by RANGE) to −4..4.</summary>
    private static sbyte[] QuantTable(int bits)
    {
        if (QuantTables[bits] is { } table) return table;
        var maxVal = (1 << bits) - 1;
        int t1, t2, t3;
        if (maxVal >= 128)
        {
            var factor = (Math.Min(maxVal, 4095) + 128) >> 8;
            t1 = Math.Clamp(factor * (3 - 2) + 2, 1, maxVal);
            t2 = Math.Clamp(factor * (7 - 3) + 3, t1, maxVal);
            t3 = Math.Clamp(factor * (21 - 4) + 4, t2, maxVal);
        }
        else
        {
            var factor = 256 / (maxVal + 1);
            t1 = Math.Clamp(Math.Max(2, 3 / factor), 1, maxVal);
            t2 = Math.Clamp(Math.Max(3, 7 / factor), t1, maxVal);
            t3 = Math.Clamp(Math.Max(4, 21 / factor), t2, maxVal);
        }
        var range = maxVal + 1;
        table = new sbyte[2 * range + 1];
        for (var d = -range; d <= range; d++)
            table[d + range] = (sbyte)(d <= -t3 ? -4 : d <= -t2 ? -3 : d <= -t1 ? -2 : d < 0 ? -1 : d == 0 ? 0 : d < t1 ? 1 : d < t2 ? 2 : d < t3 ? 3 : 4);
        QuantTables[bits] = table;
        return table;
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
