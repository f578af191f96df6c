// Fused per-pixel first pass of every chain, and the sparse defect fix.
// Mirrors Cpu/PixelPass.cs operation for operation. Contraction into fma is off and the program is
// built with -cl-fp32-correctly-rounded-divide-sqrt, so every float result equals the CPU's.
#pragma OPENCL FP_CONTRACT OFF

#define STAGE_CALIBRATE 0
#define STAGE_RECURSIVE 1
#define STAGE_SUBTRACT 2
#define STAGE_ROADMAP_MASK 3
#define STAGE_ROADMAP_PEAK 4
#define STAGE_ROADMAP_OVERLAY 5

inline float corrected(ushort raw, float dark, float gain, float maxv)
{
    float c = ((float)raw - dark) * gain;
    return fmin(fmax(c, 0.0f), maxv);
}

inline ushort to_pixel(float v, float maxv)
{
    return convert_ushort_sat(fmin(fmax(v, 0.0f), maxv) + 0.5f);
}

__kernel void calibrate(__global const ushort* raw, __global const float* dark, __global const float* gain,
                        __global ushort* out, float maxv)
{
    size_t i = get_global_id(0);
    out[i] = to_pixel(corrected(raw[i], dark[i], gain[i], maxv), maxv);
}

__kernel void calibrate_recursive(__global const ushort* raw, __global const float* dark, __global const float* gain,
                                  __global float* state, __global ushort* out, float maxv,
                                  float alpha_min, float alpha_ramp, float noise_slope, float noise_intercept,
                                  float difference_variance_factor, float low_threshold, float inverse_span)
{
    size_t i = get_global_id(0);
    float x = corrected(raw[i], dark[i], gain[i], maxv);
    float y = state[i];
    float d = x - y;
    float variance = noise_slope * y + noise_intercept;
    float ratio = sqrt((d * d) / (variance * difference_variance_factor));
    float ramp = (ratio - low_threshold) * inverse_span;
    ramp = fmin(fmax(ramp, 0.0f), 1.0f);
    float alpha = alpha_min + alpha_ramp * ramp;
    float next = y + alpha * d;
    state[i] = next;
    out[i] = to_pixel(next, maxv);
}

__kernel void calibrate_log(__global const ushort* raw, __global const float* dark, __global const float* gain,
                            __global const float* log_table, __global float* mask, __global float* peak,
                            __global ushort* out, float maxv, int stage,
                            float subtraction_offset, float subtraction_gain, float overlay_gain)
{
    size_t i = get_global_id(0);
    float c = corrected(raw[i], dark[i], gain[i], maxv);
    float l = log_table[convert_int(c + 0.5f)];
    float v;
    if (stage == STAGE_SUBTRACT)
    {
        v = subtraction_offset + subtraction_gain * (l - mask[i]);
    }
    else if (stage == STAGE_ROADMAP_MASK)
    {
        mask[i] = mask[i] + l;
        v = c;
    }
    else if (stage == STAGE_ROADMAP_PEAK)
    {
        float p = fmin(peak[i], l - mask[i]);
        peak[i] = p;
        v = c + overlay_gain * p;
    }
    else
    {
        v = c + overlay_gain * peak[i];
    }
    out[i] = to_pixel(v, maxv);
}

__kernel void finish_roadmap_mask(__global float* mask, __global float* peak, float inverse)
{
    size_t i = get_global_id(0);
    mask[i] = mask[i] * inverse;
    peak[i] = 0.0f;
}

__kernel void fix_defects(__global ushort* frame, __global const int* targets, __global const int* neighbours,
                          __global const float* weights, float maxv)
{
    size_t t = get_global_id(0);
    size_t s = t * 4;
    float v = weights[s] * (float)frame[neighbours[s]];
    v += weights[s + 1] * (float)frame[neighbours[s + 1]];
    v += weights[s + 2] * (float)frame[neighbours[s + 2]];
    v += weights[s + 3] * (float)frame[neighbours[s + 3]];
    frame[targets[t]] = to_pixel(v, maxv);
}
