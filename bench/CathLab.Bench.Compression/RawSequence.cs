using CathLab.Sims.Detector;
using CathLab.Sims.Phantom;
using CathLab.Sims.Physics;
using CathLab.Wire.Generator;

namespace CathLab.Bench.Compression;

/// <summary>One of the simulator's runs as the recorder stores it: raw 1024² detector frames of the given bits stored,
/// little-endian 16-bit samples.</summary>
internal sealed record RawSequence(string Name, int BitsStored, byte[][] Frames)
{
    public const int Side = 1024;

    public static RawSequence Fluoro(int frames, int bits) => Render("fluoro", frames, bits, 15, PhantomPreset.Coronary, new Technique(70, 5, 6), 100);

    public static RawSequence Cine(int frames, int bits) => Render("cine", frames, bits, 15, PhantomPreset.Coronary, new Technique(80, 20, 8), 0.8);

    public static RawSequence Dsa(int frames, int bits) => Render("DSA", frames, bits, 4, PhantomPreset.Peripheral, new Technique(75, 80, 10), 1.6);

    private static RawSequence Render(string name, int frames, int bits, int fps, PhantomPreset preset, Technique technique, double bolusSeconds)
    {
        var physics = new XRayPhysics(new XRayPhysicsOptions(), bits);
        var world = new PhantomWorld(new PhantomOptions { Preset = preset, BolusArrivalSeconds = bolusSeconds }, physics.Options.PixelPitchMm);
        var renderer = new FrameRenderer(world, physics, 11);
        var raw = new ushort[Side * Side];
        var result = new byte[frames][];
        for (var i = 0; i < frames; i++)
        {
            renderer.RenderExposure(technique, 1_000_000 + i * 1_000_000L / fps, DetectorMode.Full1024, (ulong)i, raw);
            result[i] = new byte[raw.Length * 2];
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(raw.AsSpan()).CopyTo(result[i]);
        }
        return new RawSequence(name, bits, result);
    }
}
