namespace CathLab.Processing.Cpu;

/// <summary>Box-averages the 8-bit display frame by 2 or 4 with integer rounding: out = (sum + n/2) / n.</summary>
internal sealed unsafe class DownscalePass(int width) : BandJob
{
    private byte* _display;
    private byte* _reduced;
    private int _factor;

    public void Prepare(byte* display, byte* reduced, int factor)
    {
        _display = display;
        _reduced = reduced;
        _factor = factor;
    }

    public override void Execute(int band, int y0, int y1)
    {
        int f = _factor, n = f * f, rw = width / f;
        for (int ry = y0 / f; ry < y1 / f; ry++)
        {
            byte* dst = _reduced + (long)ry * rw;
            for (int rx = 0; rx < rw; rx++)
            {
                int sum = 0;
                for (int dy = 0; dy < f; dy++)
                {
                    byte* src = _display + (long)(ry * f + dy) * width + rx * f;
                    for (int dx = 0; dx < f; dx++) sum += src[dx];
                }
                dst[rx] = (byte)((sum + n / 2) / n);
            }
        }
    }
}
