using CathLab.Processing.Calibration;
using CathLab.Processing.Display;
using CathLab.Processing.Filters;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;

namespace CathLab.Processing.Tests.Synthetic;

/// <summary>Shorthands for building pipelines and reading their outputs in tests.</summary>
internal static class Chains
{
    public static readonly ushort[] IdentityLut = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();

    /// <summary>Parameters under which the output is the first pass's 16-bit result, untouched:
    /// no sharpening, identity LUT.</summary>
    public static ProcessingParameters Raw16(PipelineMode mode) => new()
    {
        Mode = mode,
        Unsharp = new UnsharpMaskSettings { Gain = 0 },
        Display = new DisplaySettings { Format = OutputFormat.Lut16, Lut = IdentityLut },
    };

    public static FramePipeline Create(CalibrationData calibration, ProcessingParameters parameters, BackendChoice backend, List<string>? log = null) =>
        new(calibration, parameters, new PipelineOptions { Backend = backend, Log = m => log?.Add(m) });

    public static byte[] Process(FramePipeline pipeline, ReadOnlySpan<ushort> raw)
    {
        var output = new byte[pipeline.Layout.TotalBytes];
        pipeline.Process(raw, output);
        return output;
    }

    public static ushort[] Process16(FramePipeline pipeline, ReadOnlySpan<ushort> raw) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(Process(pipeline, raw)).ToArray();

    public static CalibrationData Identity(int width, int height, int bits = 14) => CalibrationData.Identity(new FrameGeometry(width, height, bits));

    /// <summary>Uneven dark (50..150) and gain (0.8..1.2) from <paramref name="seed"/>, and the defects
    /// <paramref name="addDefects"/> places with the same random sequence, drawn after dark and gain.</summary>
    public static CalibrationData Uneven(FrameGeometry g, int seed, Action<DefectMap, Random> addDefects)
    {
        var rng = new Random(seed);
        var dark = new float[g.PixelCount];
        var gain = new float[g.PixelCount];
        for (int i = 0; i < dark.Length; i++)
        {
            dark[i] = 50 + (float)rng.NextDouble() * 100;
            gain[i] = 0.8f + (float)rng.NextDouble() * 0.4f;
        }
        var defects = new DefectMap(g);
        addDefects(defects, rng);
        return new CalibrationData(g, dark, gain, defects);
    }
}

internal sealed class ArrayRun(IReadOnlyList<ushort[]> frames) : IRunFrames
{
    public int Reads { get; private set; }

    public int Count => frames.Count;

    public ReadOnlySpan<ushort> Frame(int index)
    {
        Reads++;
        return frames[index];
    }
}
