using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CathLab.Processing.Calibration;
using CathLab.Processing.Cpu;
using CathLab.Processing.Frames;
using CathLab.Processing.OpenCl;
using CathLab.Processing.Pipeline;
using CathLab.Processing.Subtraction;
using CathLab.Processing.Tests.Synthetic;
using Silk.NET.OpenCL;

namespace CathLab.Processing.Tests;

/// <summary>The per-pixel pass: its 512-bit and 256-bit loops give bit-identical values (the 512-bit loop runs
/// even where it is not accelerated, in software), by band or row by row, in every stage; and the motion test's
/// reciprocal square root meets its documented accuracy over every normal float and gives the same bits on
/// OpenCL.</summary>
public sealed unsafe class PixelPassTests(ITestOutputHelper output)
{
    // 208 = 6 * 32 + 16: every row ends in a 16-pixel tail that the wide pass leaves to the 256-bit loop.
    private static readonly FrameGeometry Geometry = new(208, 64, 14);

    private static CalibrationData Calibration()
    {
        var rng = new Random(11);
        var dark = new float[Geometry.PixelCount];
        var gain = new float[Geometry.PixelCount];
        for (int i = 0; i < dark.Length; i++) { dark[i] = 30 + (float)rng.NextDouble() * 120; gain[i] = 0.8f + (float)rng.NextDouble() * 0.5f; }
        return new CalibrationData(Geometry, dark, gain, new DefectMap(Geometry));
    }

    /// <summary>Noise around a level, blocks that jump between frames (every motion-test outcome from noise to
    /// a strong edge), and saturated and dark pixels.</summary>
    private static ushort[] Frame(int f)
    {
        var rng = new Random(100 + f);
        var raw = new ushort[Geometry.PixelCount];
        for (int y = 0; y < Geometry.Height; y++)
            for (int x = 0; x < Geometry.Width; x++)
            {
                double level = 3000 + 500 * Math.Sin(x * 0.05 + y * 0.03);
                if (((x + 13 * f) / 24 + y / 16) % 3 == 0) level += 150 * f;
                double v = level + rng.NextDouble() * 200 - 100 + (rng.Next(50) == 0 ? rng.Next(-400, 400) : 0);
                raw[y * Geometry.Width + x] = (ushort)Math.Clamp(v, 0, ushort.MaxValue);
            }
        raw[5] = ushort.MaxValue;
        raw[Geometry.Width + 200] = 0;
        return raw;
    }

    private static ChainConstants Constants(PixelStage stage, float alpha) => new()
    {
        Stage = stage,
        MaxValue = Geometry.MaxValue,
        AlphaMin = alpha,
        AlphaRamp = 1 - alpha,
        NoiseSlope = 1f,
        NoiseIntercept = 4f,
        DifferenceVarianceFactor = 2 / (2 - alpha),
        LowThreshold = 3.5f,
        InverseThresholdSpan = 1 / 2.5f,
        SubtractionOffset = 8192,
        SubtractionGain = 3000,
        OverlayGain = 2500,
    };

    /// <summary>One pass's arrays; the state, mask and peak start from the same values for both widths.</summary>
    private sealed class Run
    {
        public readonly ushort[] State = new ushort[Geometry.PixelCount];
        public readonly float[] Mask = new float[Geometry.PixelCount];
        public readonly float[] Peak = new float[Geometry.PixelCount];
        public readonly ushort[] Output = new ushort[Geometry.PixelCount];
        public readonly PixelPass Pass;
        private readonly bool _byRow;

        public Run(FixedPointCalibration calibration, bool wide, bool byRow)
        {
            var rng = new Random(5);
            for (int i = 0; i < State.Length; i++)
            {
                State[i] = (ushort)rng.Next(10000, 14000);
                Mask[i] = LogTransform.Table[rng.Next(2500, 3500)];
                Peak[i] = -0.05f * (float)rng.NextDouble();
            }
            Pass = new PixelPass(Geometry.Width, State, Mask, Peak, Output) { Wide = wide };
            Pass.SetCalibration(calibration);
            _byRow = byRow;
        }

        public void Frame(ushort[] raw, in ChainConstants k)
        {
            fixed (ushort* r = raw)
            {
                Pass.Prepare(r, k);
                if (_byRow) for (int y = 0; y < Geometry.Height; y++) Pass.Rows(y, y + 1);
                else Pass.Rows(0, Geometry.Height);
            }
        }
    }

    private static int Differing<T>(T[] a, T[] b) where T : unmanaged
    {
        var x = MemoryMarshal.AsBytes(a.AsSpan());
        var y = MemoryMarshal.AsBytes(b.AsSpan());
        int size = x.Length / a.Length, count = 0;
        for (int i = 0; i < a.Length; i++)
            if (!x.Slice(i * size, size).SequenceEqual(y.Slice(i * size, size))) count++;
        return count;
    }

    [Theory]
    [InlineData(nameof(PixelStage.Calibrate))]
    [InlineData(nameof(PixelStage.CalibrateRecursive))]
    [InlineData(nameof(PixelStage.Subtract))]
    [InlineData(nameof(PixelStage.RoadmapMask))]
    [InlineData(nameof(PixelStage.RoadmapPeak))]
    [InlineData(nameof(PixelStage.RoadmapOverlay))]
    public void Wide_and_narrow_loops_give_identical_values(string stageName)
    {
        var stage = Enum.Parse<PixelStage>(stageName);
        output.WriteLine($"Vector512 accelerated: {Vector512.IsHardwareAccelerated}");
        var calibration = FixedPointCalibration.From(Calibration());
        // Wide by row (a 16-pixel tail per row), wide over the whole band (one tail), narrow over the whole band.
        var runs = new[] { new Run(calibration, true, true), new Run(calibration, true, false), new Run(calibration, false, false) };
        for (int f = 0; f < 6; f++)
        {
            var raw = Frame(f);
            var k = Constants(stage, f == 0 ? 1f : 0.25f);
            foreach (var run in runs) run.Frame(raw, k);
            var narrow = runs[^1];
            foreach (var wide in runs[..^1])
            {
                int outputs = Differing(wide.Output, narrow.Output), states = Differing(wide.State, narrow.State);
                int masks = Differing(wide.Mask, narrow.Mask), peaks = Differing(wide.Peak, narrow.Peak);
                output.WriteLine($"{stage}, frame {f}: {outputs} outputs, {states} states, {masks} masks, {peaks} peaks differ");
                Assert.Equal(0, outputs + states + masks + peaks);
            }
        }
        Assert.Contains(runs[^1].Output, v => v != runs[^1].Output[0]);
    }

    /// <summary>|y sqrt(v) - 1| in double over floats v from <paramref name="first"/> on, every
    /// <paramref name="stride"/>-th bit pattern, 16 at a time; also checks both widths give the same bits.</summary>
    private static (double Worst, long Count) ReciprocalSqrtError(float first, float last, int stride)
    {
        int from = BitConverter.SingleToInt32Bits(first), to = BitConverter.SingleToInt32Bits(last);
        var values = new float[16];
        double worst = 0;
        long count = 0;
        for (long bits = from; bits < to; bits += 16L * stride)
        {
            for (int j = 0; j < 16; j++) values[j] = BitConverter.Int32BitsToSingle((int)Math.Min(bits + (long)j * stride, to));
            var wide = PixelPass.ReciprocalSqrt(Vector512.Create(values));
            var lower = PixelPass.ReciprocalSqrt(Vector256.Create(values));
            var upper = PixelPass.ReciprocalSqrt(Vector256.Create(values, 8));
            Assert.True(Vector512.Create(lower, upper).AsInt32() == wide.AsInt32(), "the 512-bit and 256-bit reciprocal square roots differ");
            for (int j = 0; j < 16; j++) worst = Math.Max(worst, Math.Abs(wide[j] * Math.Sqrt(values[j]) - 1));
            count += 16;
        }
        return (worst, count);
    }

    [Fact]
    public void Reciprocal_square_root_is_within_5e_6_of_the_true_value()
    {
        // Every float in [1, 4): the first guess and both Newton steps scale exactly by powers of 4, so this is
        // the error of every normal float.
        var (every, n) = ReciprocalSqrtError(1f, 4f, 1);
        // A sample of the whole range a variance can take: from the smallest normal float (the intercept's floor)
        // to 2^40 (slope 1000 LSB/quantum, 8 fractional bits, intercept 1e6 LSB^2: below 2^38).
        var (range, m) = ReciprocalSqrtError(BitConverter.Int32BitsToSingle(0x00800000), MathF.Pow(2, 40), 97);
        output.WriteLine($"largest relative error: {every:E3} over all {n} floats in [1, 4); {range:E3} over {m} floats in [2^-126, 2^40]");
        Assert.True(every < 5e-6, $"relative error {every:E3}");
        Assert.True(range < 5e-6, $"relative error {range:E3}");
        Assert.True(every > 1e-6, "the error is that of two Newton steps, not a correctly rounded sqrt: the measurement is broken");
    }

    /// <summary>The chains' agreement tests compare outputs, in which a last-bit difference of the reciprocal square
    /// root would almost never show; so pixel.cl's reciprocal_sqrt itself runs on the OpenCL device (built with the
    /// chain's options, in work-groups of 256 as the chain runs) and must give the CPU's bits for every input.</summary>
    [Fact]
    public void Reciprocal_square_root_gives_the_same_bits_on_OpenCL()
    {
        if (OpenClRequirement.OptedOut(output)) return;
        var values = new List<float>();
        for (int bits = BitConverter.SingleToInt32Bits(1f); bits < BitConverter.SingleToInt32Bits(4f); bits += 3) values.Add(BitConverter.Int32BitsToSingle(bits));
        for (int bits = 0x00800000; bits < BitConverter.SingleToInt32Bits(MathF.Pow(2, 40)); bits += 1361) values.Add(BitConverter.Int32BitsToSingle(bits));
        while (values.Count % 256 != 0) values.Add(1f);
        var input = values.ToArray();
        var (device, gpu) = OpenClProbe.ReciprocalSqrt(input);
        int differing = 0, first = -1;
        for (int i = 0; i < input.Length; i += 8)
        {
            var cpu = PixelPass.ReciprocalSqrt(Vector256.Create(input, i));
            for (int j = 0; j < 8; j++)
                if (BitConverter.SingleToInt32Bits(cpu[j]) != BitConverter.SingleToInt32Bits(gpu[i + j]) && differing++ == 0) first = i + j;
        }
        output.WriteLine($"{device}: {differing} of {input.Length} results differ from the CPU's");
        Assert.True(differing == 0, $"first difference at v = {(first < 0 ? 0 : input[first]):R}");
    }

    [Fact]
    public void A_noise_intercept_too_small_for_a_float_still_gives_a_normal_positive_variance()
    {
        var k = Constants(PixelStage.CalibrateRecursive, 0.25f) with { NoiseSlope = 0, NoiseIntercept = float.Epsilon };
        var (slope, intercept) = k.DifferenceVarianceQ(2);
        Assert.Equal(0f, slope);
        Assert.True(float.IsNormal(intercept) && intercept > 0, $"intercept {intercept}");
        Assert.Equal(BitConverter.Int32BitsToSingle(0x00800000), intercept);

        var calibration = FixedPointCalibration.From(Calibration());
        var run = new Run(calibration, Vector512.IsHardwareAccelerated, false);
        run.Frame(Frame(1), k);
        // Without noise every change is motion: the state follows the frame (a = 1 wherever d != 0).
        var calibrated = new Run(calibration, false, false);
        calibrated.Frame(Frame(1), k with { Stage = PixelStage.Calibrate });
        Assert.Equal(calibrated.Output, run.Output);
    }
}

/// <summary>Runs one function of Kernels/pixel.cl on the first OpenCL device, outside the chain.</summary>
internal static unsafe class OpenClProbe
{
    private const string Kernel = """

        __kernel void probe_reciprocal_sqrt(__global const float* v, __global float* r)
        {
            size_t i = get_global_id(0);
            r[i] = reciprocal_sqrt(v[i]);
        }
        """;

    public static (string Device, float[] Results) ReciprocalSqrt(float[] values)
    {
        var cl = CL.GetApi();
        uint count;
        Check(cl.GetPlatformIDs(0, null, &count), "clGetPlatformIDs");
        var platforms = new nint[count];
        fixed (nint* p = platforms) Check(cl.GetPlatformIDs(count, p, null), "clGetPlatformIDs");
        nint device = 0;
        foreach (var platform in platforms)
        {
            uint devices;
            if (cl.GetDeviceIDs(platform, DeviceType.All, 1, &device, &devices) == 0 && devices > 0) break;
            device = 0;
        }
        Assert.True(device != 0, "no OpenCL device");
        byte* name = stackalloc byte[256];
        cl.GetDeviceInfo(device, DeviceInfo.Name, 256, name, null);
        int err;
        var context = cl.CreateContext(null, 1, &device, null, null, &err);
        Check(err, "clCreateContext");
        var queue = cl.CreateCommandQueue(context, device, (CommandQueueProperties)0, &err);
        Check(err, "clCreateCommandQueue");
        var program = cl.CreateProgramWithSource(context, 1, [KernelSource.Read("pixel.cl") + Kernel], null, &err);
        Check(err, "clCreateProgramWithSource");
        Check(cl.BuildProgram(program, 1, &device, "-cl-fp32-correctly-rounded-divide-sqrt", null, null), "clBuildProgram");
        var kernel = cl.CreateKernel(program, "probe_reciprocal_sqrt", &err);
        Check(err, "clCreateKernel");
        nuint bytes = (nuint)values.Length * 4;
        var results = new float[values.Length];
        nint input, outputBuffer;
        fixed (float* v = values) input = cl.CreateBuffer(context, MemFlags.ReadOnly | MemFlags.CopyHostPtr, bytes, v, &err);
        Check(err, "clCreateBuffer");
        outputBuffer = cl.CreateBuffer(context, MemFlags.WriteOnly, bytes, null, &err);
        Check(err, "clCreateBuffer");
        Check(cl.SetKernelArg(kernel, 0, (nuint)sizeof(nint), &input), "clSetKernelArg");
        Check(cl.SetKernelArg(kernel, 1, (nuint)sizeof(nint), &outputBuffer), "clSetKernelArg");
        nuint global = (nuint)values.Length, local = 256;
        Check(cl.EnqueueNdrangeKernel(queue, kernel, 1, null, &global, &local, 0, null, null), "clEnqueueNDRangeKernel");
        fixed (float* r = results) Check(cl.EnqueueReadBuffer(queue, outputBuffer, true, 0, bytes, r, 0, null, null), "clEnqueueReadBuffer");
        cl.ReleaseMemObject(input);
        cl.ReleaseMemObject(outputBuffer);
        cl.ReleaseKernel(kernel);
        cl.ReleaseProgram(program);
        cl.ReleaseCommandQueue(queue);
        cl.ReleaseContext(context);
        return (new string((sbyte*)name).Trim(), results);
    }

    private static void Check(int err, string what) => Assert.True(err == 0, $"{what} returned {err}");
}
