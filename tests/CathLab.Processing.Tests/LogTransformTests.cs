using System.Runtime.Intrinsics;
using CathLab.Processing.Calibration;
using CathLab.Processing.Cpu;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using CathLab.Processing.Subtraction;

namespace CathLab.Processing.Tests;

/// <summary>The log transform's polynomial: within 1 ulp of ln over every 16-bit value, and the 512-bit evaluation,
/// the table and the per-pixel pass at both widths give the same bits for every value.</summary>
public sealed unsafe class LogTransformTests(ITestOutputHelper output)
{
    [Fact]
    public void Polynomial_is_within_one_ulp_of_ln_for_every_value()
    {
        double worstUlp = 0, worstRelative = 0;
        int worstAt = 0;
        for (int v = 2; v < LogTransform.TableLength; v++)
        {
            double exact = Math.Log(v);
            float rounded = (float)exact;
            double error = Math.Abs(LogTransform.Ln(v) - exact);
            double ulps = error / (MathF.BitIncrement(rounded) - rounded);
            if (ulps > worstUlp) (worstUlp, worstAt) = (ulps, v);
            worstRelative = Math.Max(worstRelative, error / exact);
        }
        output.WriteLine($"max error {worstUlp:F3} ulp (at {worstAt}), {worstRelative:E2} relative");
        Assert.True(worstUlp <= 1, $"{worstUlp} ulp at {worstAt}");
        Assert.True(worstRelative <= 2e-7, $"{worstRelative} relative");
    }

    [Fact]
    public void Zero_and_one_give_exactly_zero()
    {
        Assert.Equal(0f, LogTransform.Ln(0));
        Assert.Equal(0f, LogTransform.Ln(1));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(LogTransform.Table[0]));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(LogTransform.Table[1]));
    }

    [Fact]
    public void Table_holds_the_scalar_function()
    {
        var table = LogTransform.Table;
        Assert.Equal(LogTransform.TableLength, table.Length);
        for (int v = 0; v < table.Length; v++)
            Assert.Equal(BitConverter.SingleToInt32Bits(LogTransform.Ln(v)), BitConverter.SingleToInt32Bits(table[v]));
    }

    [Fact]
    public void Vector512_evaluation_equals_the_table_for_every_value()
    {
        output.WriteLine($"Vector512 accelerated: {Vector512.IsHardwareAccelerated}");
        var table = LogTransform.Table;
        var lanes = new int[Vector512<int>.Count];
        var result = new float[Vector512<float>.Count];
        int differing = 0;
        for (int v = 0; v < table.Length; v += lanes.Length)
        {
            // Lanes out of order, so a lane-mixing mistake cannot hide behind neighbouring values.
            for (int j = 0; j < lanes.Length; j++) lanes[j] = v + (j * 7) % lanes.Length;
            LogTransform.Ln(Vector512.Create(lanes)).CopyTo(result);
            for (int j = 0; j < lanes.Length; j++)
                if (BitConverter.SingleToInt32Bits(result[j]) != BitConverter.SingleToInt32Bits(table[lanes[j]])) differing++;
        }
        Assert.Equal(0, differing);
    }

    /// <summary>Identity calibration of a 16-bit frame holding every value once: the roadmap mask phase adds
    /// L(c) to a zero mask, so the mask is the log the pass computed for every c in [0, 65535].</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Pixel_pass_logs_equal_the_table_for_every_value(bool wide)
    {
        // 272 = 8 * 32 + 16: the wide pass leaves a 16-pixel tail per row to the 256-bit loop. 3 is coprime to
        // 65536, so the first 65536 pixels hold every value once, scattered over both loops.
        var geometry = new FrameGeometry(272, 248, 16);
        var raw = new ushort[geometry.PixelCount];
        for (int i = 0; i < raw.Length; i++) raw[i] = (ushort)((i * 3) % LogTransform.TableLength);
        var mask = new float[raw.Length];
        var pixels = new ushort[raw.Length];
        var pass = new PixelPass(geometry.Width, new ushort[raw.Length], mask, new float[raw.Length], pixels) { Wide = wide };
        pass.SetCalibration(FixedPointCalibration.From(CalibrationData.Identity(geometry)));
        var k = new ChainConstants { Stage = PixelStage.RoadmapMask, MaxValue = geometry.MaxValue };
        fixed (ushort* r = raw)
        {
            pass.Prepare(r, k);
            pass.Rows(0, geometry.Height);
        }

        Assert.Equal(raw, pixels);
        var seen = new bool[LogTransform.TableLength];
        int differing = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            seen[raw[i]] = true;
            if (BitConverter.SingleToInt32Bits(mask[i]) != BitConverter.SingleToInt32Bits(LogTransform.Table[raw[i]])) differing++;
        }
        Assert.DoesNotContain(false, seen);
        Assert.Equal(0, differing);
    }
}
