using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CathLab.Dicom.Codecs;

/// <summary>
/// PackBits-encodes one row of one byte plane (PS3.5 G.3.1): runs of three or more equal bytes become replicate
/// packets, everything else literal packets of at most 128 bytes. Runs are found from an "equal to the next byte"
/// bit mask built 64 bytes at a time with vector compares, so the per-byte work is a compare, not a branch.
/// </summary>
internal static class PackBitsRowEncoder
{
    private const int MaxPacket = 128;

    /// <summary>
    /// Length the row buffer must have for a row of <paramref name="columns"/> bytes: the mask reads whole 64-byte
    /// blocks plus one byte, and literals are copied in whole vectors.
    /// </summary>
    public static int RowBufferLength(int columns) => Blocks(columns) * 64 + 64;

    /// <summary>Length of the mask scratch for a row of <paramref name="columns"/> bytes.</summary>
    public static int MaskLength(int columns) => 2 * Blocks(columns) + 1;

    /// <summary>Worst-case encoded size of a row: all literal, one header per 128 bytes.</summary>
    public static int MaxRowLength(int columns) => columns + (columns + MaxPacket - 1) / MaxPacket;

    /// <summary>
    /// Encodes <c>row[..columns]</c> into <paramref name="output"/> and returns the bytes written. The bytes of
    /// <paramref name="row"/> after the row are read but do not matter.
    /// </summary>
    public static int Encode(ReadOnlySpan<byte> row, int columns, Span<ulong> masks, Span<byte> output)
    {
        var blocks = Blocks(columns);
        var equal = masks[..(blocks + 1)];
        var triple = masks.Slice(blocks + 1, blocks);
        BuildMasks(row, columns, equal, triple);

        ref var src = ref MemoryMarshal.GetReference(row);
        ref var dst = ref MemoryMarshal.GetReference(output);
        var o = 0;
        var literalStart = 0;
        var from = 0;
        while (true)
        {
            var start = NextSet(triple, from, invert: false);
            if (start < 0) break;
            var literal = start - literalStart;
            // Noisy content alternates short literals and short runs; the common case goes without data-dependent
            // branches: one vector copy for a literal of up to 32 bytes (none is written when it is empty: its header
            // is overwritten by the run's), one packet for a run of up to 128.
            if (Vector256.IsHardwareAccelerated && literal <= 32 && o + 33 <= output.Length)
            {
                output[o] = (byte)(literal - 1);
                Vector256.LoadUnsafe(ref src, (nuint)literalStart).StoreUnsafe(ref dst, (nuint)(o + 1));
                o += literal + ((literal + 31) >> 5);
            }
            else
            {
                o += WriteLiterals(row, literalStart, start, output, o);
            }
            // The run ends at the first byte that differs from its successor; the last byte of the row never matches.
            var end = NextSet(equal, start, invert: true) + 1;
            var run = end - start;
            var value = row[start];
            if (run <= MaxPacket)
            {
                output[o] = (byte)(sbyte)(1 - run);
                output[o + 1] = value;
                o += 2;
                from = literalStart = end;
                continue;
            }
            while (run >= 3)
            {
                var n = Math.Min(run, MaxPacket);
                output[o] = (byte)(sbyte)(1 - n);
                output[o + 1] = value;
                o += 2;
                run -= n;
            }
            // One or two bytes left over from a run longer than 128 start the next literal.
            from = literalStart = end - run;
        }
        o += WriteLiterals(row, literalStart, columns, output, o);
        return o;
    }

    private static int Blocks(int columns) => (columns + 63) / 64;

    /// <summary>equal bit i: row[i] == row[i+1] (never for i >= columns - 1); triple bit i: row[i..i+3] all equal.</summary>
    private static void BuildMasks(ReadOnlySpan<byte> row, int columns, Span<ulong> equal, Span<ulong> triple)
    {
        var blocks = triple.Length;
        if (row.Length < RowBufferLength(columns)) throw new ArgumentException("row buffer is shorter than RowBufferLength");
        ref var p = ref MemoryMarshal.GetReference(row);
        for (var b = 0; b < blocks; b++)
        {
            var at = (nuint)(b * 64);
            ulong bits;
            if (Vector512.IsHardwareAccelerated)
            {
                bits = Vector512.Equals(Vector512.LoadUnsafe(ref p, at), Vector512.LoadUnsafe(ref p, at + 1)).ExtractMostSignificantBits();
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                bits = Vector256.Equals(Vector256.LoadUnsafe(ref p, at), Vector256.LoadUnsafe(ref p, at + 1)).ExtractMostSignificantBits()
                     | (ulong)Vector256.Equals(Vector256.LoadUnsafe(ref p, at + 32), Vector256.LoadUnsafe(ref p, at + 33)).ExtractMostSignificantBits() << 32;
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                bits = 0;
                for (var q = 0; q < 4; q++)
                {
                    var o = at + (nuint)(q * 16);
                    bits |= (ulong)Vector128.Equals(Vector128.LoadUnsafe(ref p, o), Vector128.LoadUnsafe(ref p, o + 1)).ExtractMostSignificantBits() << (q * 16);
                }
            }
            else
            {
                bits = 0;
                var i = (int)at;
                for (var k = 0; k < 64; k++)
                    if (row[i + k] == row[i + k + 1]) bits |= 1UL << k;
            }
            equal[b] = bits;
        }
        var valid = columns - 1 - (blocks - 1) * 64; // bits of the last block that compare two bytes of the row
        equal[blocks - 1] &= valid >= 64 ? ulong.MaxValue : (1UL << valid) - 1;
        equal[blocks] = 0;
        for (var b = 0; b < blocks; b++)
            triple[b] = equal[b] & ((equal[b] >> 1) | (equal[b + 1] << 63));
    }

    /// <summary>First index >= from whose bit is set (or clear, when inverted); -1 when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NextSet(ReadOnlySpan<ulong> mask, int from, bool invert)
    {
        var b = from >> 6;
        if (b >= mask.Length) return -1;
        var flip = invert ? ulong.MaxValue : 0;
        var bits = (mask[b] ^ flip) & (ulong.MaxValue << (from & 63));
        while (bits == 0)
        {
            if (++b >= mask.Length) return -1;
            bits = mask[b] ^ flip;
        }
        return b * 64 + BitOperations.TrailingZeroCount(bits);
    }

    /// <summary>Writes row[start..end] as literal packets at output[o..]; returns the bytes written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteLiterals(ReadOnlySpan<byte> row, int start, int end, Span<byte> output, int o)
    {
        var first = o;
        ref var src = ref MemoryMarshal.GetReference(row);
        ref var dst = ref MemoryMarshal.GetReference(output);
        while (start < end)
        {
            var n = Math.Min(end - start, MaxPacket);
            output[o] = (byte)(n - 1);
            // Most literals are short: whole-vector copies (reading into the row buffer's slack, writing at most 31
            // bytes that the next packet overwrites) beat a memmove call, where the output has room for the overshoot.
            if (Vector256.IsHardwareAccelerated && o + 1 + n + 32 <= output.Length)
            {
                for (var k = 0; k < n; k += 32)
                    Vector256.LoadUnsafe(ref src, (nuint)(start + k)).StoreUnsafe(ref dst, (nuint)(o + 1 + k));
            }
            else
            {
                row.Slice(start, n).CopyTo(output[(o + 1)..]);
            }
            o += n + 1;
            start += n;
        }
        return o - first;
    }
}
