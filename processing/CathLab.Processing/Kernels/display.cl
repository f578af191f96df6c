// Spatial and display steps: noise-aware smoothing, unsharp mask fused with window/level or the
// 16-bit LUT, and the downscale. Mirrors Cpu/SmoothingPass.cs, Cpu/DisplayPass.cs, Cpu/DownscalePass.cs.
#pragma OPENCL FP_CONTRACT OFF

inline void accumulate(int value, int centre, float limit, int* sum, int* count)
{
    float d = (float)(value - centre);
    if (d * d <= limit) { *sum += value; *count += 1; }
}

__kernel void smooth(__global const ushort* src, __global ushort* dst, int width, int height,
                     float noise_slope, float noise_intercept, float threshold_squared)
{
    int x = get_global_id(0), y = get_global_id(1);
    int up = max(y - 1, 0) * width, mid = y * width, down = min(y + 1, height - 1) * width;
    int l = max(x - 1, 0), r = min(x + 1, width - 1);
    int centre = src[mid + x];
    float limit = threshold_squared * (noise_slope * (float)centre + noise_intercept);
    int sum = 0, count = 0;
    accumulate(src[up + l], centre, limit, &sum, &count);
    accumulate(src[up + x], centre, limit, &sum, &count);
    accumulate(src[up + r], centre, limit, &sum, &count);
    accumulate(src[mid + l], centre, limit, &sum, &count);
    accumulate(centre, centre, limit, &sum, &count);
    accumulate(src[mid + r], centre, limit, &sum, &count);
    accumulate(src[down + l], centre, limit, &sum, &count);
    accumulate(src[down + x], centre, limit, &sum, &count);
    accumulate(src[down + r], centre, limit, &sum, &count);
    dst[mid + x] = (ushort)((2 * sum + count) / (2 * count));
}

// Unsharp mask, one work-group per row segment: the group first sums the box's rows for each column of its
// segment and the radius either side (edges replicated), into local memory, then each item adds its
// 2r + 1 neighbouring column sums from there. Exact integers, as the CPU's running sums.
#define MAX_GROUP 256
#define MAX_RADIUS 15

inline float enhanced(__global const ushort* src, __local int* tile, int width, int height, int radius,
                      float gain, float inverse_area)
{
    int x = get_global_id(0), y = get_global_id(1);
    int lx = get_local_id(0), group = get_local_size(0);
    int x0 = x - lx - radius;
    for (int j = lx; j < group + 2 * radius; j += group)
    {
        int column = clamp(x0 + j, 0, width - 1);
        int sum = 0;
        for (int dy = -radius; dy <= radius; dy++) sum += src[clamp(y + dy, 0, height - 1) * width + column];
        tile[j] = sum;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    float v = (float)src[y * width + x];
    int sum = 0;
    for (int dx = 0; dx <= 2 * radius; dx++) sum += tile[lx + dx];
    float blur = (float)sum * inverse_area;
    return v + gain * (v - blur);
}

// With sharpening off the host passes radius 0 and gain 0: v + 0 * (v - v) = v exactly, as on the CPU.
__kernel void unsharp_gray8(__global const ushort* src, __global uchar* out, int width, int height,
                            int radius, float gain, float inverse_area, float low, float scale)
{
    __local int tile[MAX_GROUP + 2 * MAX_RADIUS];
    int x = get_global_id(0), y = get_global_id(1);
    float v = enhanced(src, tile, width, height, radius, gain, inverse_area);
    out[y * width + x] = convert_uchar_sat(fmin(fmax((v - low) * scale, 0.0f), 255.0f) + 0.5f);
}

__kernel void unsharp_lut16(__global const ushort* src, __global ushort* out, __global const ushort* lut,
                            int width, int height, int radius, float gain, float inverse_area)
{
    __local int tile[MAX_GROUP + 2 * MAX_RADIUS];
    int x = get_global_id(0), y = get_global_id(1);
    float v = enhanced(src, tile, width, height, radius, gain, inverse_area);
    out[y * width + x] = lut[convert_int(fmin(fmax(v, 0.0f), 65535.0f) + 0.5f)];
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
