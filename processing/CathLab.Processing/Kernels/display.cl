// Spatial and display steps: noise-aware smoothing, unsharp mask fused with window/level or the
// 16-bit LUT, and the downscale. Mirrors Cpu/SmoothingPass.cs, Cpu/DisplayPass.cs, Cpu/DownscalePass.cs.
#pragma OPENCL FP_CONTRACT OFF

// A neighbour counts when |value - centre| <= t, t the integer part of k sigma (see Cpu/SmoothingPass.cs).
inline void accumulate(int value, int centre, int t, int* sum, int* count)
{
    if (abs(value - centre) <= t) { *sum += value; *count += 1; }
}

__kernel void smooth(__global const ushort* src, __global ushort* dst, int width, int height,
                     float noise_slope, float noise_intercept, float threshold_squared)
{
    int x = get_global_id(0), y = get_global_id(1);
    int up = max(y - 1, 0) * width, mid = y * width, down = min(y + 1, height - 1) * width;
    int l = max(x - 1, 0), r = min(x + 1, width - 1);
    int centre = src[mid + x];
    float limit = threshold_squared * (noise_slope * (float)centre + noise_intercept);
    int t = (int)sqrt(limit);
    int sum = 0, count = 0;
    accumulate(src[up + l], centre, t, &sum, &count);
    accumulate(src[up + x], centre, t, &sum, &count);
    accumulate(src[up + r], centre, t, &sum, &count);
    accumulate(src[mid + l], centre, t, &sum, &count);
    accumulate(centre, centre, t, &sum, &count);
    accumulate(src[mid + r], centre, t, &sum, &count);
    accumulate(src[down + l], centre, t, &sum, &count);
    accumulate(src[down + x], centre, t, &sum, &count);
    accumulate(src[down + r], centre, t, &sum, &count);
    dst[mid + x] = (ushort)((2 * sum + count) / (2 * count));
}

// Unsharp mask in three kernels that each suit a CPU device as well as a GPU: column sums over the box's
// rows (consecutive items read consecutive pixels), then row sums of those over the box's columns, each
// item sliding along its own 16-pixel segment, then the per-pixel enhancement and display mapping.
// Exact integers (edges replicated), as the CPU's running sums.
#define SEGMENT 16

__kernel void box_columns(__global const ushort* src, __global int* columns, int width, int height, int radius)
{
    int x = get_global_id(0), y = get_global_id(1);
    int sum = 0;
    for (int dy = -radius; dy <= radius; dy++) sum += src[clamp(y + dy, 0, height - 1) * width + x];
    columns[y * width + x] = sum;
}

__kernel void box_rows(__global const int* columns, __global int* box, int width, int radius)
{
    int x0 = get_global_id(0) * SEGMENT, y = get_global_id(1);
    __global const int* row = columns + y * width;
    __global int* out = box + y * width;
    int sum = 0;
    for (int dx = -radius; dx <= radius; dx++) sum += row[clamp(x0 + dx, 0, width - 1)];
    out[x0] = sum;
    for (int x = x0 + 1; x < x0 + SEGMENT; x++)
    {
        sum += row[min(x + radius, width - 1)] - row[max(x - radius - 1, 0)];
        out[x] = sum;
    }
}

// With sharpening off the host passes radius 0 and gain 0: v + 0 * (v - v) = v exactly, as on the CPU.
inline float enhanced(float v, int box, float gain, float inverse_area)
{
    float blur = (float)box * inverse_area;
    return v + gain * (v - blur);
}

__kernel void unsharp_gray8(__global const ushort* src, __global const int* box, __global uchar* out, int width,
                            float gain, float inverse_area, float low, float scale)
{
    size_t i = get_global_id(1) * width + get_global_id(0);
    float v = enhanced((float)src[i], box[i], gain, inverse_area);
    out[i] = convert_uchar_sat(fmin(fmax((v - low) * scale, 0.0f), 255.0f) + 0.5f);
}

__kernel void unsharp_lut16(__global const ushort* src, __global const int* box, __global ushort* out,
                            __global const ushort* lut, int width, float gain, float inverse_area)
{
    size_t i = get_global_id(1) * width + get_global_id(0);
    float v = enhanced((float)src[i], box[i], gain, inverse_area);
    out[i] = lut[convert_int(fmin(fmax(v, 0.0f), 65535.0f) + 0.5f)];
}

__kernel void downscale(__global uchar* frame, int width, int factor, int offset)
{
    int rx = get_global_id(0), ry = get_global_id(1);
    int n = factor * factor, sum = 0;
    for (int dy = 0; dy < factor; dy++)
        for (int dx = 0; dx < factor; dx++)
            sum += frame[(ry * factor + dy) * width + rx * factor + dx];
    frame[offset + ry * (width / factor) + rx] = (uchar)((sum + n / 2) / n);
}
