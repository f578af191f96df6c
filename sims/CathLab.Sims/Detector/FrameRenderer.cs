using System.Numerics;
using System.Runtime.InteropServices;
using CathLab.Sims.Phantom;
using CathLab.Sims.Physics;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Detector;

/// <summary>Turns one pulse into one detector readout: mean quanta per pixel through the phantom,
/// quantum noise (exact Poisson below <see cref="ExactPoissonBelowQuanta"/>, otherwise a Gaussian with
/// variance equal to the mean), electronic noise, gain and offset, clipped to the bits stored.
/// Not thread-safe: one render thread owns it. Deterministic for a seed and a frame index.</summary>
public sealed class FrameRenderer
{
    public const float ExactPoissonBelowQuanta = 16;
    private const int VesselLutSize = 256;

    private readonly PhantomWorld _world;
    private readonly XRayPhysics _physics;
    private readonly ulong _seed;
    private readonly TransmissionCache _transmission;
    private readonly GaussianTable _gaussians;
    private readonly DetectorCalibrationMaps _maps1024;
    private readonly DetectorCalibrationMaps _maps512;
    private readonly float[] _vesselLut = new float[VesselLutSize];
    private readonly float[] _columnFactor = new float[PhantomWorld.FieldSide];
    private readonly float[] _noColumnFactor = Enumerable.Repeat(1f, PhantomWorld.FieldSide).ToArray();
    private readonly float[] _meanRow = new float[PhantomWorld.FieldSide];
    private readonly float[] _valueRow = new float[PhantomWorld.FieldSide];

    public FrameRenderer(PhantomWorld world, XRayPhysics physics, ulong seed)
    {
        _world = world;
        _physics = physics;
        _seed = seed;
        _transmission = new TransmissionCache(world, physics);
        _gaussians = GaussianTable.For(seed * 0x9E3779B97F4A7C15ul + 1);
        _maps1024 = new DetectorCalibrationMaps(DetectorMode.Full1024, physics, seed);
        _maps512 = new DetectorCalibrationMaps(DetectorMode.Binned512, physics, seed);
    }

    public XRayPhysics Physics => _physics;

    public DetectorCalibrationMaps Maps(DetectorMode mode) => mode == DetectorMode.Full1024 ? _maps1024 : _maps512;

    /// <summary>Renders the readout of one exposure into <paramref name="destination"/> (side × side pixels).</summary>
    /// <remarks>With <paramref name="attenuator"/> the beam meets only a uniform attenuator (the table cleared for a
    /// calibration flood): no anatomy, vessels or motion; collimation and the detector's own pattern stay.</remarks>
    public void RenderExposure(in Technique technique, long timestampMicroseconds, DetectorMode mode, ulong frameIndex, Span<ushort> destination, bool attenuator = false)
    {
        int binning = mode.Binning();
        float quanta = (float)_physics.UnattenuatedQuantaPerPixel(technique, binning);
        if (attenuator)
        {
            Render(mode, frameIndex, destination, quanta, _transmission.UniformAt(technique.Kv), false, 0, 0, 0, 0);
            return;
        }
        var transmission = _transmission.At(technique.Kv);
        double concentration = _world.Bolus.ConcentrationAt(timestampMicroseconds);
        bool contrast = concentration > 1e-4;
        if (contrast)
        {
            double muIodinePerUnit = _physics.IodineMuPerCm(technique.Kv) * concentration * VesselMap.MillimetresPerUnit / 10;
            for (int i = 0; i < VesselLutSize; i++)
            {
                _vesselLut[i] = (float)Math.Exp(-muIodinePerUnit * i);
            }
        }
        var (ax, ay, vx, vy) = _world.Origins(timestampMicroseconds);
        Render(mode, frameIndex, destination, quanta, transmission, contrast, ax, ay, vx, vy);
    }

    /// <summary>Renders a readout with no exposure: offset, electronic noise and defects only.</summary>
    public void RenderDark(DetectorMode mode, ulong frameIndex, Span<ushort> destination) =>
        Render(mode, frameIndex, destination, 0, _transmission.Transmission, false, 0, 0, 0, 0);

    private void Render(DetectorMode mode, ulong frameIndex, Span<ushort> destination, float quanta, float[] transmission,
        bool contrast, int ax, int ay, int vx, int vy)
    {
        int side = mode.Side();
        int step = mode.Binning();
        if (destination.Length < side * side)
        {
            throw new ArgumentException("destination too small for the readout", nameof(destination));
        }
        var maps = Maps(mode);
        var collimation = _world.Collimation;
        int rowTop = (int)Math.Round(collimation.Top * side);
        int rowBottom = (int)Math.Round(collimation.Bottom * side);
        int colLeft = (int)Math.Round(collimation.Left * side);
        int colRight = (int)Math.Round(collimation.Right * side);
        float outside = (float)_physics.Options.OutsideCollimationFraction;
        for (int x = 0; x < side; x++)
        {
            _columnFactor[x] = x >= colLeft && x < colRight ? 1f : outside;
        }
        ulong frameSeed = _seed ^ (frameIndex * 0xD1B54A32D192ED03ul);
        byte[] vessels = _world.Vessels.Chords;
        for (int y = 0; y < side; y++)
        {
            var random = new SplitMix64(frameSeed + (ulong)y * 0x9E3779B97F4A7C15ul);
            bool rowOpen = y >= rowTop && y < rowBottom;
            float rowQuanta = rowOpen ? quanta : quanta * outside;
            var columnFactor = rowOpen ? _columnFactor : _noColumnFactor;
            var mean = _meanRow.AsSpan(0, side);
            if (rowQuanta > 0)
            {
                int anatomyStart = (ay + y * step) * PhantomWorld.WorldSide + ax;
                int vesselStart = (vy + y * step) * PhantomWorld.WorldSide + vx;
                for (int x = 0; x < side; x++)
                {
                    float t = transmission[anatomyStart + x * step];
                    if (contrast)
                    {
                        t *= _vesselLut[vessels[vesselStart + x * step]];
                    }
                    mean[x] = t * rowQuanta * columnFactor[x];
                }
            }
            else
            {
                mean.Clear();
            }
            int noiseStart = random.NextInt(GaussianTable.Length - side);
            AddNoiseAndGain(mean,
                maps.GainLsbPerQuantum.AsSpan(y * side, side),
                maps.OffsetLsb.AsSpan(y * side, side),
                _gaussians.Values.AsSpan(noiseStart, side),
                ref random,
                destination.Slice(y * side, side));
        }
    }

    private void AddNoiseAndGain(ReadOnlySpan<float> mean, ReadOnlySpan<float> gain, ReadOnlySpan<float> offset,
        ReadOnlySpan<float> gaussian, ref SplitMix64 random, Span<ushort> destination)
    {
        int width = mean.Length;
        float electronic = (float)_physics.ElectronicNoiseLsb;
        float fullScale = _physics.FullScale;
        var values = _valueRow.AsSpan(0, width);
        int lanes = Vector<float>.Count;
        var zero = Vector<float>.Zero;
        var threshold = new Vector<float>(ExactPoissonBelowQuanta);
        var electronicSquared = new Vector<float>(electronic * electronic);
        var top = new Vector<float>(fullScale);
        int x = 0;
        for (; x <= width - lanes; x += lanes)
        {
            var m = new Vector<float>(mean[x..]);
            var needsExact = Vector.BitwiseAnd(Vector.GreaterThan(m, zero), Vector.LessThan(m, threshold));
            if (needsExact != Vector<int>.Zero)
            {
                ScalarLanes(x, x + lanes, mean, gain, offset, gaussian, ref random, values, electronic, fullScale);
                continue;
            }
            var g = new Vector<float>(gain[x..]);
            var signal = g * m + new Vector<float>(offset[x..])
                + Vector.SquareRoot(g * g * m + electronicSquared) * new Vector<float>(gaussian[x..]);
            Vector.Min(Vector.Max(signal, zero), top).CopyTo(values[x..]);
        }
        ScalarLanes(x, width, mean, gain, offset, gaussian, ref random, values, electronic, fullScale);

        var half = new Vector<float>(0.5f);
        var output = MemoryMarshal.Cast<ushort, Vector<ushort>>(destination);
        int pairs = width / (2 * lanes);
        for (int p = 0; p < pairs; p++)
        {
            var low = Vector.ConvertToUInt32(new Vector<float>(values[(2 * p * lanes)..]) + half);
            var high = Vector.ConvertToUInt32(new Vector<float>(values[((2 * p + 1) * lanes)..]) + half);
            output[p] = Vector.Narrow(low, high);
        }
        for (int i = pairs * 2 * lanes; i < width; i++)
        {
            destination[i] = (ushort)(values[i] + 0.5f);
        }
    }

    private static void ScalarLanes(int from, int to, ReadOnlySpan<float> mean, ReadOnlySpan<float> gain, ReadOnlySpan<float> offset,
        ReadOnlySpan<float> gaussian, ref SplitMix64 random, Span<float> values, float electronic, float fullScale)
    {
        for (int i = from; i < to; i++)
        {
            float m = mean[i];
            float signal;
            if (m > 0 && m < ExactPoissonBelowQuanta)
            {
                signal = gain[i] * random.NextPoisson(m) + offset[i] + electronic * gaussian[i];
            }
            else
            {
                signal = gain[i] * m + offset[i] + MathF.Sqrt(gain[i] * gain[i] * m + electronic * electronic) * gaussian[i];
            }
            values[i] = Math.Clamp(signal, 0, fullScale);
        }
    }
}
