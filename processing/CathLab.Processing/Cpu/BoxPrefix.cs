using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CathLab.Processing.Filters;

namespace CathLab.Processing.Cpu;

/// <summary>Horizontal box sums as differences of running sums. The columns are edge-replicated (r copies of
/// the first column, the row's columns, r copies of the last); prefix[i] is the sum of the first i of those,
/// less the r copies of the first, so the box of 2r + 1 columns centred on x is prefix[x + 2r + 1] - prefix[x]:
/// two loads and a subtraction for any kernel size. The running sums may wrap around; their differences, the
/// box sums (at most 31 x 31 x 65535), are exact.</summary>
internal static class BoxPrefix
{
    /// <summary>Entries of the prefix buffer for a row of <paramref name="width"/> columns and any allowed kernel.</summary>
    public static int Length(int width) => width + UnsharpMaskSettings.MaxKernel;

    /// <summary>columns += the row's pixels (the box's rows when it starts afresh), 16 columns per step.</summary>
    public static void AddRow(int[] columns, ref ushort row, int width)
    {
        ref int dst = ref columns[0];
        for (nuint x = 0; x < (nuint)width; x += 16)
        {
            var v = Vector256.LoadUnsafe(ref row, x);
            (Vector256.LoadUnsafe(ref dst, x) + Vector256.WidenLower(v).AsInt32()).StoreUnsafe(ref dst, x);
            (Vector256.LoadUnsafe(ref dst, x + 8) + Vector256.WidenUpper(v).AsInt32()).StoreUnsafe(ref dst, x + 8);
        }
    }

    /// <summary>Moves the box down one row, columns += entering - leaving, and rebuilds the prefix;
    /// 16 columns per step in 256-bit vectors (<see cref="PairedBoxPrefix"/> is the 512-bit form).</summary>
    public static void Slide(int[] columns, int[] prefix, ref ushort entering, ref ushort leaving, int width, int r)
    {
        ref int c = ref columns[0];
        ref int q = ref prefix[r + 1];
        var carry = Vector256<int>.Zero;
        var lastLane = Vector256.Create(7);
        for (nuint x = 0; x < (nuint)width; x += 16)
        {
            var enter = Vector256.LoadUnsafe(ref entering, x);
            var leave = Vector256.LoadUnsafe(ref leaving, x);
            var lo = Vector256.LoadUnsafe(ref c, x) + Vector256.WidenLower(enter).AsInt32() - Vector256.WidenLower(leave).AsInt32();
            var hi = Vector256.LoadUnsafe(ref c, x + 8) + Vector256.WidenUpper(enter).AsInt32() - Vector256.WidenUpper(leave).AsInt32();
            lo.StoreUnsafe(ref c, x);
            hi.StoreUnsafe(ref c, x + 8);
            lo = Scan(lo);
            hi = Scan(hi);
            (lo + carry).StoreUnsafe(ref q, x);
            carry += Vector256.Shuffle(lo, lastLane);
            (hi + carry).StoreUnsafe(ref q, x + 8);
            carry += Vector256.Shuffle(hi, lastLane);
        }
        Edges(columns, prefix, width, r);
    }

    // Inclusive running sums across the 8 lanes: shifted copies (zeros shifted in) added in 3 steps.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> Scan(Vector256<int> v)
    {
        v += Vector256.Shuffle(v, Vector256.Create(0, 0, 1, 2, 3, 4, 5, 6)) & Vector256.Create(0, -1, -1, -1, -1, -1, -1, -1);
        v += Vector256.Shuffle(v, Vector256.Create(0, 0, 0, 1, 2, 3, 4, 5)) & Vector256.Create(0, 0, -1, -1, -1, -1, -1, -1);
        return v + (Vector256.Shuffle(v, Vector256.Create(0, 0, 0, 0, 0, 1, 2, 3)) & Vector256.Create(0, 0, 0, 0, -1, -1, -1, -1));
    }

    // prefix[0..r) from the first column's r copies (prefix[r] = 0), prefix (r + width, r + width + r] from the last's.
    private static void Edges(int[] columns, int[] prefix, int width, int r)
    {
        unchecked
        {
            int first = columns[0], last = columns[width - 1];
            for (int i = 0; i < r; i++) prefix[i] = (i - r) * first;
            prefix[r] = 0;
            int end = prefix[r + width];
            for (int j = 1; j <= r; j++) prefix[r + width + j] = end + j * last;
        }
    }
}
