using CathLab.Processing.Frames;

namespace CathLab.Processing.Subtraction;

/// <summary>Resamples a mask by a <see cref="PixelShift"/> with bilinear interpolation; runs on the host
/// whenever the mask or the shift changes, never per frame.</summary>
public static class MaskShifter
{
    public static void Apply(FrameGeometry g, ReadOnlySpan<float> mask, PixelShift shift, Span<float> shifted)
    {
        g.RequireLength(mask.Length, nameof(mask));
        g.RequireLength(shifted.Length, nameof(shifted));
        shift.Validate();
        int ix = (int)Math.Floor(-shift.Dx), iy = (int)Math.Floor(-shift.Dy);
        double fx = -shift.Dx - ix, fy = -shift.Dy - iy;
        double w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
        int w = g.Width, h = g.Height;
        for (int y = 0; y < h; y++)
        {
            var row0 = mask.Slice(Math.Clamp(y + iy, 0, h - 1) * w, w);
            var row1 = mask.Slice(Math.Clamp(y + iy + 1, 0, h - 1) * w, w);
            var dst = shifted.Slice(y * w, w);
            for (int x = 0; x < w; x++)
            {
                int x0 = Math.Clamp(x + ix, 0, w - 1), x1 = Math.Clamp(x + ix + 1, 0, w - 1);
                dst[x] = (float)(w00 * row0[x0] + w01 * row0[x1] + w10 * row1[x0] + w11 * row1[x1]);
            }
        }
    }
}
