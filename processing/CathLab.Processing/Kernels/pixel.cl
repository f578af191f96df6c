// Fused per-pixel first pass of every chain, and the sparse defect fix.
// Mirrors Cpu/PixelPass.cs operation for operation: integer offset and gain, floats without contraction
// into fma (and -cl-fp32-correctly-rounded-divide-sqrt), so every result equals the CPU's.
#pragma OPENCL FP_CONTRACT OFF

#define STAGE_CALIBRATE 0
#define STAGE_RECURSIVE 1
#define STAGE_SUBTRACT 2
#define STAGE_ROADMAP_MASK 3
#define STAGE_ROADMAP_PEAK 4
#define STAGE_ROADMAP_OVERLAY 5

// Fixed-point offset and gain (Calibration/FixedPointCalibration.cs): the corrected value in Q(F).
inline uint corrected_q(ushort raw, ushort dark, ushort gain, int fraction_bits, int gain_shift, uint max_q)
{
    uint r = min((uint)raw, max_q >> fraction_bits) << fraction_bits;
    uint offset = r > dark ? r - dark : 0u;
    uint round = gain_shift == 0 ? 0u : 1u << (gain_shift - 1);
    return min((offset * (uint)gain + round) >> gain_shift, max_q);
}

inline ushort round_q(uint q, int fraction_bits)
{
    return (ushort)((q + ((1u << fraction_bits) >> 1)) >> fraction_bits);
}

// The clamp keeps the value in [0.5, maxv + 0.5], maxv at most 65535, where the plain conversion (truncation) is
// what the saturating one gives; PoCL's saturating conversion costs more than the rest of a log stage's arithmetic.
inline ushort to_pixel(float v, float maxv)
{
    return convert_ushort(fmin(fmax(v, 0.0f), maxv) + 0.5f);
}

__kernel void calibrate(__global const ushort* raw, __global const ushort* dark, __global const ushort* gain,
                        __global ushort* out, int fraction_bits, int gain_shift, uint max_q)
{
    size_t i = get_global_id(0);
    out[i] = round_q(corrected_q(raw[i], dark[i], gain[i], fraction_bits, gain_shift, max_q), fraction_bits);
}

// State in Q(F); the motion test |d| / sigma_d with sigma_d^2 = variance_slope * y + variance_intercept in Q(F) units
// (the host keeps the intercept a positive normal float, so the quotient is never 0 / 0).
__kernel void calibrate_recursive(__global const ushort* raw, __global const ushort* dark, __global const ushort* gain,
                                  __global ushort* state, __global ushort* out, int fraction_bits, int gain_shift, uint max_q,
                                  float alpha_min, float alpha_ramp, float variance_slope, float variance_intercept,
                                  float low_threshold, float inverse_span)
{
    size_t i = get_global_id(0);
    int x = (int)corrected_q(raw[i], dark[i], gain[i], fraction_bits, gain_shift, max_q);
    int y = state[i];
    float d = (float)(x - y);
    float yf = (float)y;
    float variance = variance_slope * yf + variance_intercept;
    float ratio = sqrt((d * d) / variance);
    float ramp = (ratio - low_threshold) * inverse_span;
    ramp = fmin(fmax(ramp, 0.0f), 1.0f);
    float alpha = alpha_min + alpha_ramp * ramp;
    float next = yf + alpha * d;
    uint q = (uint)convert_int(fmin(fmax(next, 0.0f), (float)max_q) + 0.5f);
    state[i] = (ushort)q;
    out[i] = round_q(q, fraction_bits);
}

// One kernel per log stage (the stage a constant in each), so no kernel carries the others' branches and stores:
// PoCL vectorises each across work-items, and did not vectorise the one kernel with the stage as an argument.
inline void log_stage(const int stage, size_t i, __global const ushort* raw, __global const ushort* dark, __global const ushort* gain,
                      __global const float* log_table, __global float* mask, __global float* peak,
                      __global ushort* out, int fraction_bits, int gain_shift, uint max_q, float maxv,
                      float subtraction_offset, float subtraction_gain, float overlay_gain)
{
    int ci = round_q(corrected_q(raw[i], dark[i], gain[i], fraction_bits, gain_shift, max_q), fraction_bits);
    float c = (float)ci;
    float l = log_table[ci];
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

#define LOG_STAGE_KERNEL(name, stage) \
__kernel void name(__global const ushort* raw, __global const ushort* dark, __global const ushort* gain, \
                   __global const float* log_table, __global float* mask, __global float* peak, \
                   __global ushort* out, int fraction_bits, int gain_shift, uint max_q, float maxv, \
                   float subtraction_offset, float subtraction_gain, float overlay_gain) \
{ \
    log_stage(stage, get_global_id(0), raw, dark, gain, log_table, mask, peak, out, fraction_bits, gain_shift, max_q, maxv, \
              subtraction_offset, subtraction_gain, overlay_gain); \
}

LOG_STAGE_KERNEL(calibrate_subtract, STAGE_SUBTRACT)
LOG_STAGE_KERNEL(calibrate_roadmap_mask, STAGE_ROADMAP_MASK)
LOG_STAGE_KERNEL(calibrate_roadmap_peak, STAGE_ROADMAP_PEAK)
LOG_STAGE_KERNEL(calibrate_roadmap_overlay, STAGE_ROADMAP_OVERLAY)

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
