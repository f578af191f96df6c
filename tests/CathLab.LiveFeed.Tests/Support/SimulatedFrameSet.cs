using CathLab.Sims.Detector;
using CathLab.Sims.Phantom;
using CathLab.Sims.Physics;
using CathLab.Wire.Generator;

namespace CathLab.LiveFeed.Tests.Support;

/// <summary>A few frames from the simulator's phantom and renderer, with a plain window/level to 8 bits
/// standing in for processing's display step; cycled by the tests' frame pump.</summary>
internal sealed class SimulatedFrameSet
{
    private static readonly Lazy<SimulatedFrameSet> Shared1024 = new(() => Render(DetectorMode.Full1024, 6));

    private SimulatedFrameSet(int side, ushort[][] raw, byte[][] display)
    {
        Side = side;
        Raw = raw;
        Display = display;
    }

    public static SimulatedFrameSet Full => Shared1024.Value;

    public int Side { get; }

    public ushort[][] Raw { get; }

    public byte[][] Display { get; }

    public int Count => Raw.Length;

    public static SimulatedFrameSet Render(DetectorMode mode, int count)
    {
        var physics = new XRayPhysics(new XRayPhysicsOptions(), 14);
        var world = new PhantomWorld(new PhantomOptions { BolusArrivalSeconds = 0 }, physics.Options.PixelPitchMm);
        var renderer = new FrameRenderer(world, physics, 7);
        int side = mode.Side();
        var raw = new ushort[count][];
        var display = new byte[count][];
        var technique = new Technique(75, 10, 6);
        for (int i = 0; i < count; i++)
        {
            raw[i] = new ushort[side * side];
            renderer.RenderExposure(technique, 1_000_000 + i * 33_333, mode, (ulong)i, raw[i]);
            display[i] = WindowLevel(raw[i]);
        }
        return new SimulatedFrameSet(side, raw, display);
    }

    private static byte[] WindowLevel(ushort[] pixels)
    {
        ushort lo = pixels.Min();
        ushort hi = pixels.Max();
        float scale = 255f / Math.Max(1, hi - lo);
        var result = new byte[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) result[i] = (byte)Math.Clamp((pixels[i] - lo) * scale + 0.5f, 0, 255);
        return result;
    }
}
