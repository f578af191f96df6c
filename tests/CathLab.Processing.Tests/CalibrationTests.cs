using CathLab.Processing.Calibration;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using CathLab.Processing.Tests.Synthetic;

namespace CathLab.Processing.Tests;

/// <summary>Offset/gain/defect calibration on a synthetic detector with known per-pixel offset and gain.</summary>
public sealed class CalibrationTests
{
    private static readonly FrameGeometry G = new(128, 128, 14);

    // Detector: raw = offset[i] + gain[i] * quanta, offset 80..120 LSB, gain 0.7..1.3; pixel (10, 20) dead,
    // pixel (50, 60) hot, column 77 dead.
    private sealed class Detector
    {
        public readonly double[] Offset = new double[G.PixelCount];
        public readonly double[] Gain = new double[G.PixelCount];
        private readonly Random _rng = new(11);

        public Detector()
        {
            for (int i = 0; i < G.PixelCount; i++) { Offset[i] = 80 + 40 * _rng.NextDouble(); Gain[i] = 0.7 + 0.6 * _rng.NextDouble(); }
            Gain[20 * G.Width + 10] = 0;
            Offset[60 * G.Width + 50] = 3000;
            for (int y = 0; y < G.Height; y++) Gain[y * G.Width + 77] = 0.05;
        }

        public ushort[] Frame(Func<int, double> quanta)
        {
            var f = new ushort[G.PixelCount];
            for (int i = 0; i < f.Length; i++)
                f[i] = (ushort)Math.Clamp(Math.Round(Offset[i] + Gain[i] * PoissonNoise.Sample(_rng, quanta(i))), 0, 16383);
            return f;
        }
    }

    private static CalibrationData Acquire(Detector d)
    {
        var acquisition = new CalibrationAcquisition(G);
        for (int k = 0; k < 16; k++) acquisition.AddDark(d.Frame(_ => 0));
        for (int k = 0; k < 32; k++) acquisition.AddFlood(d.Frame(_ => 5000));
        return acquisition.Build();
    }

    [Fact]
    public void Acquisition_finds_the_defects_and_corrected_frames_are_flat()
    {
        var detector = new Detector();
        var calibration = Acquire(detector);
        Assert.True(calibration.Defects.IsDefective(10, 20));
        Assert.True(calibration.Defects.IsDefective(50, 60));
        for (int y = 0; y < G.Height; y++) Assert.True(calibration.Defects.IsDefective(77, y));
        Assert.InRange(calibration.Defects.Count, G.Height + 2, G.Height + 10);

        // A uniform exposure comes out flat: the spread is the quantum noise alone (plus the gain estimate's), not the gain pattern.
        using var pipeline = Chains.Create(calibration, Chains.Raw16(PipelineMode.Cine), BackendChoice.Cpu);
        var corrected = Chains.Process16(pipeline, detector.Frame(_ => 3000));
        double mean = corrected.Average(v => (double)v);
        double sd = Math.Sqrt(corrected.Average(v => (v - mean) * (v - mean)));
        double expectedNoise = Math.Sqrt(3000) * 1.0; // mean gain 1
        Assert.InRange(sd, 0.8 * expectedNoise, 1.3 * expectedNoise);
        // Defects are filled from their neighbours, not left dark or bright.
        Assert.InRange(corrected[20 * G.Width + 10], mean - 5 * expectedNoise, mean + 5 * expectedNoise);
        Assert.InRange(corrected[60 * G.Width + 50], mean - 5 * expectedNoise, mean + 5 * expectedNoise);
        for (int y = 1; y < G.Height - 1; y++) Assert.InRange(corrected[y * G.Width + 77], mean - 5 * expectedNoise, mean + 5 * expectedNoise);
    }

    [Fact]
    public void Defective_lines_and_their_crossing_are_interpolated_from_neighbours()
    {
        var defects = new DefectMap(G);
        defects.AddRow(30);
        defects.AddColumn(40);
        defects.AddPixel(0, 0);
        var table = DefectInterpolationTable.Build(defects);
        var frame = new ushort[G.PixelCount];
        for (int y = 0; y < G.Height; y++)
            for (int x = 0; x < G.Width; x++) frame[y * G.Width + x] = (ushort)(10 * x + 3 * y); // a plane
        var expected = (ushort[])frame.Clone();
        foreach (var i in defects.DefectiveIndices()) frame[i] = 0;
        Cpu.DefectCorrection.Apply(table, frame, 16383);
        // Linear interpolation reproduces a plane exactly, on lines and at their crossing (from the diagonals).
        Assert.Equal(expected[1..], frame[1..]);
        // The corner has one neighbour per line, copied and averaged: between them.
        Assert.InRange(frame[0], 3, 10);
    }

    [Fact]
    public void Calibration_survives_a_save_and_load()
    {
        var calibration = Acquire(new Detector());
        using var stream = new MemoryStream();
        calibration.Save(stream);
        stream.Position = 0;
        var loaded = CalibrationData.Load(stream);
        Assert.Equal(calibration.Geometry, loaded.Geometry);
        Assert.Equal(calibration.Dark, loaded.Dark);
        Assert.Equal(calibration.Gain, loaded.Gain);
        Assert.Equal(calibration.Defects.DefectiveIndices(), loaded.Defects.DefectiveIndices());
    }

    [Fact]
    public void Loading_a_damaged_file_fails_clearly()
    {
        Assert.Throws<InvalidDataException>(() => CalibrationData.Load(new MemoryStream("not a calibration file at all"u8.ToArray())));
        var calibration = CalibrationData.Identity(G);
        using var stream = new MemoryStream();
        calibration.Save(stream);
        var truncated = stream.ToArray()[..(int)(stream.Length / 2)];
        Assert.Throws<EndOfStreamException>(() => CalibrationData.Load(new MemoryStream(truncated)));
    }

    [Fact]
    public void Acquisition_without_frames_or_with_wrong_sizes_is_refused()
    {
        var acquisition = new CalibrationAcquisition(G);
        Assert.Throws<InvalidOperationException>(() => acquisition.Build());
        Assert.Throws<ArgumentException>(() => acquisition.AddDark(new ushort[10]));
        Assert.Throws<ArgumentException>(() => new CalibrationData(G, new float[10], new float[G.PixelCount], new DefectMap(G)));
    }
}
