// Spatial and display steps: noise-aware smoothing, unsharp mask fused with window/level or the
// 16-bit LUT, and the downscale. Mirrors Cpu/SmoothingPass.cs, Cpu/DisplayPass.cs, Cpu/DownscalePass.cs.
#pragma OPENCL FP_CONTRACT OFF

// Every kernel here gives each work-item a strip of STRIP consecutive pixels of a row (widths are multiples
// of 16) and works on it with 16-lane vectors: consecutive items read consecutive 32-byte blocks (coalesced
// on a GPU), and a CPU device (PoCL) runs each item's arithmetic in full-width SIMD registers, which its
// vectoriser across work-items does not manage for these kernels.
#define STRIP 16

// Vector loads and stores through vector pointers: PoCL expands vload16/vstore16 into one access per
// element or pair (for ints too, where the address is not aligned). Strips start at multiples of 16 pixels
// of rows whose width is a multiple of 16 (buffers are at least 128-byte aligned), so the vector types'
// alignment holds. The row sums' shifted loads use an int16 typedef with the element's alignment (a typedef
// may lower alignment in OpenCL C as in GCC): one unaligned load on a CPU, split as needed on a GPU.
typedef int16 __attribute__((aligned(4))) unaligned_int16;
#define LOAD16(type, p) (*(__global const type*)(p))

// The strip one pixel left of (right of) the aligned strip c at x0 of row, edges replicated.
inline ushort16 shifted_left(__global const ushort* row, ushort16 c, int x0)
{
    return (ushort16)(row[max(x0 - 1, 0)], c.s012, c.s3456, c.s789a, c.sbcde);
}

inline ushort16 shifted_right(__global const ushort* row, ushort16 c, int x0, int width)
{
    return (ushort16)(c.s1234, c.s5678, c.s9abc, c.sdef, row[min(x0 + STRIP, width - 1)]);
}

// A neighbour counts when |value - centre| <= t, t the integer part of k sigma (see Cpu/SmoothingPass.cs),
// tested in 16-bit lanes (t saturated to 65535 does not change the test); PoCL's vector abs() and min/max
// go two lanes at a time, so the distance is spelt out.
inline void accumulate(ushort16 value, ushort16 centre, ushort16 t, int16* sum, short16* count)
{
    short16 take = (value > centre ? value - centre : centre - value) <= t;
    *sum += convert_int16(value & as_ushort16(take));
    *count -= take;
}

inline void accumulate_row(ushort16 left, ushort16 middle, ushort16 right, ushort16 centre, ushort16 t, int16* sum, short16* count)
{
    accumulate(left, centre, t, sum, count);
    accumulate(middle, centre, t, sum, count);
    accumulate(right, centre, t, sum, count);
}

__kernel void smooth(__global const ushort* src, __global ushort* dst, int width, int height,
                     float noise_slope, float noise_intercept, float threshold_squared)
{
    int x0 = get_global_id(0) * STRIP, y = get_global_id(1);
    __global const ushort* up = src + max(y - 1, 0) * width;
    __global const ushort* mid = src + y * width;
    __global const ushort* down = src + min(y + 1, height - 1) * width;
    ushort16 c = LOAD16(ushort16, mid + x0);
    float16 limit = threshold_squared * (noise_slope * convert_float16(c) + noise_intercept);
    ushort16 t = convert_ushort16_sat(convert_int16(sqrt(limit)));
    int16 sum = 0;
    short16 count = 0;
    ushort16 u = LOAD16(ushort16, up + x0), d = LOAD16(ushort16, down + x0);
    accumulate_row(shifted_left(up, u, x0), u, shifted_right(up, u, x0, width), c, t, &sum, &count);
    accumulate_row(shifted_left(mid, c, x0), c, shifted_right(mid, c, x0, width), c, t, &sum, &count);
    accumulate_row(shifted_left(down, d, x0), d, shifted_right(down, d, x0, width), c, t, &sum, &count);
    // (2 sum + count) / (2 count) as a correctly rounded float quotient, truncated: the quotient is below
    // 65536, so a non-integer one lies at least 1/18 from the next integer, far more than half its ulp, and
    // truncation gives the integer quotient (a vector integer divide is lane by lane on a CPU).
    int16 n = convert_int16(count);
    float16 mean = convert_float16(sum + sum + n) / convert_float16(n + n);
    *(__global ushort16*)(dst + y * width + x0) = convert_ushort16(convert_int16(mean));
}

// Unsharp mask in two kernels, with exact integer sums (edges replicated) as the CPU's running sums.
// box_columns: each item keeps the running sums over the box's rows of one strip down a band of BAND rows (two
// loads per row, whatever the radius) and stores their prefix sums within the strip, Q; rows carry one strip of
// replicated column sums on each side (PAD, more than the largest radius, 15). The row's prefix sum at x is
// Q[x] plus the totals of the strips left of x, so a box sum, the difference of two prefix sums 2r + 1 apart,
// is Q[x + r] - Q[x - r - 1] plus the total of the strip left of x's (where x - r - 1 lies in it) and of x's own
// (where x + r lies in the next): two shifted vector loads and two strip totals per strip, whatever the radius.
#define BAND 32
#define PAD 16

// Prefix sums across the 16 lanes, in four shifted adds (register shuffles on a CPU and on a GPU).
inline int16 strip_prefix(int16 v)
{
    v += (int16)((int)0, v.s012, v.s3456, v.s789a, v.sbcde);
    v += (int16)((int2)0, v.s0123, v.s4567, v.s89ab, v.scd);
    v += (int16)((int4)0, v.s01234567, v.s89ab);
    v += (int16)((int8)0, v.s01234567);
    return v;
}

__kernel void box_columns(__global const ushort* src, __global int* columns, int width, int height, int radius)
{
    int x0 = get_global_id(0) * STRIP, y = get_global_id(1) * BAND, y1 = min(y + BAND, height);
    int stride = width + 2 * PAD;
    const int16 lanes_from_1 = (int16)(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    int16 sum = 0;
    for (int dy = -radius; dy <= radius; dy++)
        sum += convert_int16(LOAD16(ushort16, src + clamp(y + dy, 0, height - 1) * width + x0));
    for (;;)
    {
        __global int* out = columns + y * stride + PAD + x0;
        *(__global int16*)out = strip_prefix(sum);
        if (x0 == 0) *(__global int16*)(out - PAD) = (int16)sum.s0 * lanes_from_1;
        if (x0 + STRIP == width) *(__global int16*)(out + STRIP) = (int16)sum.sf * lanes_from_1;
        if (++y == y1) break;
        sum += convert_int16(LOAD16(ushort16, src + min(y + radius, height - 1) * width + x0))
             - convert_int16(LOAD16(ushort16, src + max(y - radius - 1, 0) * width + x0));
    }
}

// The box sums of a strip, from box_columns' strip prefix sums (see above).
inline int16 box_strip(__global const int* columns, int width, int radius)
{
    int x0 = get_global_id(0) * STRIP, y = get_global_id(1);
    __global const int* row = columns + y * (width + 2 * PAD) + PAD + x0;
    const int16 lanes = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    int16 sum = LOAD16(unaligned_int16, row + radius) - LOAD16(unaligned_int16, row - radius - 1);
    sum += (int16)row[STRIP - 1] & (lanes + radius >= STRIP);
    sum += (int16)row[-1] & (lanes <= radius);
    return sum;
}

// With sharpening off the host passes radius -1 and runs no box_columns: v as is, which is what the CPU's
// v + 0 * (v - v) gives.
inline float16 enhanced(__global const ushort* src, __global const int* columns, int width, int radius,
                        float gain, float inverse_area)
{
    float16 v = convert_float16(LOAD16(ushort16, src + get_global_id(1) * width + get_global_id(0) * STRIP));
    if (radius < 0) return v;
    float16 blur = convert_float16(box_strip(columns, width, radius)) * inverse_area;
    return v + gain * (v - blur);
}

__kernel void unsharp_gray8(__global const ushort* src, __global const int* columns, __global uchar* out, int width,
                            int radius, float gain, float inverse_area, float low, float scale)
{
    float16 v = enhanced(src, columns, width, radius, gain, inverse_area);
    // Clamped to [0.5, 255.5] already, so the plain truncating conversion gives what convert_uchar_sat would;
    // PoCL's saturating one costs more than the rest of the kernel's arithmetic.
    uchar16 bytes = convert_uchar16(fmin(fmax((v - low) * scale, 0.0f), 255.0f) + 0.5f);
    *(__global uchar16*)(out + get_global_id(1) * width + get_global_id(0) * STRIP) = bytes;
}

__kernel void unsharp_lut16(__global const ushort* src, __global const int* columns, __global ushort* out,
                            __global const ushort* lut, int width, int radius, float gain, float inverse_area)
{
    float16 v = enhanced(src, columns, width, radius, gain, inverse_area);
    int16 i = convert_int16(fmin(fmax(v, 0.0f), 65535.0f) + 0.5f);
    ushort16 mapped = (ushort16)(lut[i.s0], lut[i.s1], lut[i.s2], lut[i.s3], lut[i.s4], lut[i.s5], lut[i.s6], lut[i.s7],
                                 lut[i.s8], lut[i.s9], lut[i.sa], lut[i.sb], lut[i.sc], lut[i.sd], lut[i.se], lut[i.sf]);
    *(__global ushort16*)(out + get_global_id(1) * width + get_global_id(0) * STRIP) = mapped;
}

// Each item reduces one 16-byte strip of `factor` display rows: 8 output bytes at 2x, 4 at 4x.
__kernel void downscale(__global uchar* frame, int width, int factor, int offset)
{
    int x0 = get_global_id(0) * STRIP, ry = get_global_id(1);
    __global const uchar* row = frame + ry * factor * width + x0;
    __global uchar* out = frame + offset + ry * (width / factor) + x0 / factor;
    ushort16 sum = convert_ushort16(LOAD16(uchar16, row)) + convert_ushort16(LOAD16(uchar16, row + width));
    if (factor == 2)
    {
        *(__global uchar8*)out = convert_uchar8((sum.even + sum.odd + (ushort)2) >> (ushort)2);
        return;
    }
    sum += convert_ushort16(LOAD16(uchar16, row + 2 * width)) + convert_ushort16(LOAD16(uchar16, row + 3 * width));
    *(__global uchar4*)out = convert_uchar4((sum.s048c + sum.s159d + sum.s26ae + sum.s37bf + (ushort)8) >> (ushort)4);
}
