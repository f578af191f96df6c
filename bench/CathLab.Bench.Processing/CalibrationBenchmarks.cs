using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using CathLab.Processing.Calibration;
using CathLab.Processing.Frames;

namespace CathLab.Bench.Processing;

/// <summary>What the detector calibration costs the station: correcting one recorded 1024 × 1024 frame on the recorder's
/// thread (<see cref="CalibrationData.Correct"/>, scalar fixed point plus defect interpolation), and putting a refreshed
/// offset map in force between runs (a new <see cref="CalibrationData"/>: fixed-point tables and the defect table).</summary>
[Config(typeof(CalibrationBenchmarks.Short))]
public class CalibrationBenchmarks
{
    private const int Side = 1024;
    private CalibrationData _calibration = null!;
    private ushort[] _raw = null!;
    private readonly ushort[] _corrected = new ushort[Side * Side];
    private float[] _dark = null!;

    [GlobalSetup]
    public void Setup()
    {
        var geometry = new FrameGeometry(Side, Side, 14);
        var random = new Random(3);
        var gain = new float[geometry.PixelCount];
        _dark = new float[geometry.PixelCount];
        _raw = new ushort[geometry.PixelCount];
        for (int i = 0; i < gain.Length; i++)
        {
            gain[i] = (float)(1 + 0.03 * (random.NextDouble() - 0.5));
            _dark[i] = (float)(98 + 5 * random.NextDouble());
            _raw[i] = (ushort)(1500 + random.Next(200));
        }
        // The simulator's defects: a row, a column and 0.01 % stuck pixels.
        var defects = new DefectMap(geometry);
        defects.AddRow(Side / 3);
        defects.AddColumn(Side / 2 + Side / 5);
        for (int d = 0; d < 104; d++) defects.AddPixel(random.Next(Side), random.Next(Side));
        _calibration = new CalibrationData(geometry, _dark, gain, defects);
    }

    [Benchmark(Description = "correct one recorded frame (recorder thread)")]
    public void CorrectFrame() => _calibration.Correct(_raw, _corrected);

    [Benchmark(Description = "put a refreshed offset map in force")]
    public CalibrationData NewOffsetMap() => new(_calibration.Geometry, _dark, _calibration.Gain, _calibration.Defects);

    public sealed class Short : ManualConfig
    {
        public Short()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(8)
                .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(200)).WithId("Short"));
            WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }
    }
}
