using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CathLab.Processing.Cpu;

/// <summary><see cref="BoxPrefix"/>'s running sums for 512-bit vectors, with even and odd columns apart: a pair of
/// 16-bit pixels read as one 32-bit word splits into its two pixels by a mask and a shift, not by shuffles, and
/// one 16-lane running sum covers 32 columns (the sums of column pairs, less the odd column for the even one).
/// <para>Layout: columns[j] is column 2j, columns[width / 2 + j] column 2j + 1; prefix[j] is the running sum S[2j]
/// and prefix[<see cref="Stride"/> + j] is S[2j + 1], prefix starting at <see cref="Start"/> in its buffer. The box of 2r + 1 columns centred on the even column 2j is
/// then S[2(j + r) + 1] - S[2j], on the odd column 2j + 1 it is S[2(j + r + 1)] - S[2j + 1].</para>
/// <para>Widths that are a multiple of 16 but not of 32 end with 16 columns in 256-bit vectors.</para></summary>
internal static class PairedBoxPrefix
{
    /// <summary>Offset of the odd-indexed running sums in the prefix buffer: S runs to index width + 2r, so each
    /// parity needs width / 2 + r + 1 entries, r at most 15. Rounded so that the two stores of each step fall on
    /// the same place in a cache line (<see cref="Start"/>): a multiple of 16 for odd r, one more for even r.</summary>
    public static int Stride(int width, int r) => Lines(width) + ((r & 1) == 0 ? 1 : 0);

    private static int Lines(int width) => (width / 2 + 16 + 15) & ~15;

    /// <summary>The prefix buffer's length: both parities at the longer stride, and room to start it at
    /// <see cref="Start"/>.</summary>
    public static int Length(int width) => 2 * (Lines(width) + 1) + 16;

    /// <summary>Where in <paramref name="buffer"/> (pinned, so its address stays) the running sums start for radius
    /// <paramref name="r"/>: the place that puts the 64-byte stores of <see cref="Slide"/> on cache lines (a store
    /// across two lines costs two). Both of a step's stores go to the same place in a line, given
    /// <see cref="Stride"/>.</summary>
    public static unsafe int Start(int[] buffer, int r)
    {
        int h = (r + 1) / 2, store = (r & 1) == 1 ? h : h + 1;
        long address = (long)Unsafe.AsPointer(ref buffer[0]) + 4L * store;
        return (int)((64 - (address & 63)) & 63) / 4;
    }

    /// <summary>columns += the row's pixels (the box's rows when it starts afresh), 16 columns per step.</summary>
    public static void AddRow(Span<int> columns, ref ushort row, int width)
    {
        int half = width / 2;
        ref int even = ref columns[0];
        ref int odd = ref columns[half];
        ref uint words = ref Unsafe.As<ushort, uint>(ref row);
        var low = Vector256.Create(0xFFFFu);
        for (nuint j = 0; j < (nuint)half; j += 8)
        {
            var w = Vector256.LoadUnsafe(ref words, j);
            (Vector256.LoadUnsafe(ref even, j) + (w & low).AsInt32()).StoreUnsafe(ref even, j);
            (Vector256.LoadUnsafe(ref odd, j) + (w >>> 16).AsInt32()).StoreUnsafe(ref odd, j);
        }
    }

    /// <summary>Moves the box down one row, columns += entering - leaving, and rebuilds the running sums;
    /// 32 columns per step.</summary>
    public static void Slide(Span<int> columns, Span<int> prefix, ref ushort entering, ref ushort leaving, int width, int r)
    {
        int half = width / 2, stride = Stride(width, r);
        ref int even = ref columns[0];
        ref int odd = ref columns[half];
        // S[r + 1 + 2j] (after even column 2j) and S[r + 2 + 2j] (after odd column 2j + 1) by the parity of r.
        ref int sums = ref prefix[0];
        int h = (r + 1) / 2;
        ref int afterEven = ref Unsafe.Add(ref sums, (r & 1) == 1 ? h : stride + h);
        ref int afterOdd = ref Unsafe.Add(ref sums, (r & 1) == 1 ? stride + h : h + 1);
        ref uint enter = ref Unsafe.As<ushort, uint>(ref entering);
        ref uint leave = ref Unsafe.As<ushort, uint>(ref leaving);
        var carry = Vector512<int>.Zero;
        nuint j = 0;
        for (; j + 32 <= (nuint)half; j += 32)
        {
            carry = Step(ref enter, ref leave, ref even, ref odd, ref afterEven, ref afterOdd, j, carry);
            carry = Step(ref enter, ref leave, ref even, ref odd, ref afterEven, ref afterOdd, j + 16, carry);
        }
        for (; j + 16 <= (nuint)half; j += 16)
            carry = Step(ref enter, ref leave, ref even, ref odd, ref afterEven, ref afterOdd, j, carry);
        if (j < (nuint)half)
        {
            var a = Vector256.LoadUnsafe(ref enter, j);
            var b = Vector256.LoadUnsafe(ref leave, j);
            var lowHalf = Vector256.Create(0xFFFFu);
            var e = Vector256.LoadUnsafe(ref even, j) + (a & lowHalf).AsInt32() - (b & lowHalf).AsInt32();
            var o = Vector256.LoadUnsafe(ref odd, j) + (a >>> 16).AsInt32() - (b >>> 16).AsInt32();
            e.StoreUnsafe(ref even, j);
            o.StoreUnsafe(ref odd, j);
            var total = BoxPrefix.Scan(e + o) + carry.GetLower();
            total.StoreUnsafe(ref afterOdd, j);
            (total - o).StoreUnsafe(ref afterEven, j);
        }
        Edges(columns, prefix, width, r);
    }

    // 32 columns: returns the carry for the next step; the running total goes through one add per step, the
    // broadcast of the step's own total is off that chain.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Step(ref uint enter, ref uint leave, ref int even, ref int odd, ref int afterEven, ref int afterOdd, nuint j, Vector512<int> carry)
    {
        var low = Vector512.Create(0xFFFFu);
        var a = Vector512.LoadUnsafe(ref enter, j);
        var b = Vector512.LoadUnsafe(ref leave, j);
        var e = Vector512.LoadUnsafe(ref even, j) + (a & low).AsInt32() - (b & low).AsInt32();
        var o = Vector512.LoadUnsafe(ref odd, j) + (a >>> 16).AsInt32() - (b >>> 16).AsInt32();
        e.StoreUnsafe(ref even, j);
        o.StoreUnsafe(ref odd, j);
        var pairs = Scan(e + o);
        var total = pairs + carry;
        total.StoreUnsafe(ref afterOdd, j);
        (total - o).StoreUnsafe(ref afterEven, j);
        return carry + Avx512F.PermuteVar16x32(pairs, Vector512.Create(15));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Scan(Vector512<int> v)
    {
        var zero = Vector512<int>.Zero;
        v += Avx512F.AlignRight32(v, zero, 15);
        v += Avx512F.AlignRight32(v, zero, 14);
        v += Avx512F.AlignRight32(v, zero, 12);
        return v + Avx512F.AlignRight32(v, zero, 8);
    }

    // As BoxPrefix's edges: S[0..r) from the first column's r copies (S[r] = 0), S(r + width, r + width + r] from the last's.
    // Where S[i] is kept.
    private static int At(int i, int stride) => (i & 1) * stride + (i >> 1);

    private static void Edges(Span<int> columns, Span<int> prefix, int width, int r)
    {
        int stride = Stride(width, r);
        unchecked
        {
            int first = columns[0], last = columns[width - 1];
            for (int i = 0; i < r; i++) prefix[At(i, stride)] = (i - r) * first;
            prefix[At(r, stride)] = 0;
            int end = prefix[At(r + width, stride)];
            for (int j = 1; j <= r; j++) prefix[At(r + width + j, stride)] = end + j * last;
        }
    }
}
