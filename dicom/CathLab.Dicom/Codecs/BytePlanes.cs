using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CathLab.Dicom.Codecs;

/// <summary>Moves bytes between interleaved native rows and the per-byte-plane rows RLE encodes.</summary>
internal static class BytePlanes
{
    /// <summary>plane[c] = pixels[c * stride + offset] for every c of the plane.</summary>
    public static void Extract(ReadOnlySpan<byte> pixels, int offset, int stride, Span<byte> plane)
    {
        if (stride == 1) pixels.Slice(offset, plane.Length).CopyTo(plane);
        else if (stride == 2) ExtractFromWords(pixels[..(plane.Length * 2)], offset, plane);
        else for (var c = 0; c < plane.Length; c++) plane[c] = pixels[c * stride + offset];
    }

    /// <summary>Writes 16-bit little-endian pixels from their high and low byte planes.</summary>
    public static void Interleave16(ReadOnlySpan<byte> high, ReadOnlySpan<byte> low, Span<byte> pixels)
    {
        var n = high.Length;
        if (low.Length < n || pixels.Length < 2 * n) throw new ArgumentException("planes and row differ in length");
        ref var h = ref MemoryMarshal.GetReference(high);
        ref var l = ref MemoryMarshal.GetReference(low);
        ref var d = ref MemoryMarshal.GetReference(pixels);
        var c = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; c + 32 <= n; c += 32)
            {
                var (hLower, hUpper) = Vector256.Widen(Vector256.LoadUnsafe(ref h, (nuint)c));
                var (lLower, lUpper) = Vector256.Widen(Vector256.LoadUnsafe(ref l, (nuint)c));
                (lLower | (hLower << 8)).AsByte().StoreUnsafe(ref d, (nuint)(2 * c));
                (lUpper | (hUpper << 8)).AsByte().StoreUnsafe(ref d, (nuint)(2 * c + 32));
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; c + 16 <= n; c += 16)
            {
                var (hLower, hUpper) = Vector128.Widen(Vector128.LoadUnsafe(ref h, (nuint)c));
                var (lLower, lUpper) = Vector128.Widen(Vector128.LoadUnsafe(ref l, (nuint)c));
                (lLower | (hLower << 8)).AsByte().StoreUnsafe(ref d, (nuint)(2 * c));
                (lUpper | (hUpper << 8)).AsByte().StoreUnsafe(ref d, (nuint)(2 * c + 16));
            }
        }
        for (; c < n; c++)
        {
            pixels[2 * c] = low[c];
            pixels[2 * c + 1] = high[c];
        }
    }

    private static void ExtractFromWords(ReadOnlySpan<byte> pixels, int offset, Span<byte> plane)
    {
        var n = plane.Length;
        ref var s = ref MemoryMarshal.GetReference(pixels);
        ref var d = ref MemoryMarshal.GetReference(plane);
        var shift = offset * 8;
        var c = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; c + 32 <= n; c += 32)
            {
                var lower = Vector256.LoadUnsafe(ref s, (nuint)(2 * c)).AsUInt16() >>> shift;
                var upper = Vector256.LoadUnsafe(ref s, (nuint)(2 * c + 32)).AsUInt16() >>> shift;
                Vector256.Narrow(lower, upper).StoreUnsafe(ref d, (nuint)c);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; c + 16 <= n; c += 16)
            {
                var lower = Vector128.LoadUnsafe(ref s, (nuint)(2 * c)).AsUInt16() >>> shift;
                var upper = Vector128.LoadUnsafe(ref s, (nuint)(2 * c + 16)).AsUInt16() >>> shift;
                Vector128.Narrow(lower, upper).StoreUnsafe(ref d, (nuint)c);
            }
        }
        for (; c < n; c++) plane[c] = pixels[2 * c + offset];
    }
}
