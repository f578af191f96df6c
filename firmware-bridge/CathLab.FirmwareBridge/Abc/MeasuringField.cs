using System.Numerics;

namespace CathLab.FirmwareBridge.Abc;

/// <summary>A rectangle of the image in pixels, [Left, Right) × [Top, Bottom).</summary>
public readonly record struct PixelRect(int Left, int Top, int Right, int Bottom)
{
    public int Width => Right - Left;
    public int Height => Bottom - Top;
    public bool IsEmpty => Width <= 0 || Height <= 0;
}

/// <summary>The brightness of one raw frame in the measuring field.</summary>
/// <param name="MeanAboveDark">Mean of the counted pixels minus the detector's dark level (LSB).</param>
/// <param name="CountedPixels">Pixels that took part.</param>
/// <param name="FieldPixels">Pixels in the measuring field before direct-exposure pixels were left out.</param>
/// <param name="OpenField">The collimated (open) field found or given.</param>
public readonly record struct BrightnessReading(double MeanAboveDark, int CountedPixels, int FieldPixels, PixelRect OpenField)
{
    /// <summary>Fraction of the field that was direct exposure (left out).</summary>
    public double DirectFraction => FieldPixels == 0 ? 0 : 1 - CountedPixels / (double)FieldPixels;
}

/// <summary>Where and how the automatic dose control measures brightness on a raw frame.</summary>
public sealed record MeasuringFieldOptions
{
    /// <summary>Detector full scale (LSB), e.g. 16383 for 14 bits stored.</summary>
    public int FullScale { get; init; } = 16383;

    /// <summary>Dark (offset) level in LSB, subtracted from the mean.</summary>
    public double DarkLevel { get; init; } = 100;

    /// <summary>The measuring field is the central part of the open field, this fraction of its width and height.</summary>
    public double CentralFraction { get; init; } = 0.5;

    /// <summary>Pixels at or above this fraction of full scale are direct exposure (beam past the patient) and left out.</summary>
    public double DirectExposureFraction { get; init; } = 0.85;

    /// <summary>A border row or column whose mean above dark is below this fraction of the brightest row or column
    /// is behind a collimator blade.</summary>
    public double CollimatedFraction { get; init; } = 0.15;

    /// <summary>Row and column profiles for collimator detection sample every this many pixels.</summary>
    public int ProfileStride { get; init; } = 4;
}

/// <summary>Measures brightness on a raw frame: finds the collimated field (blades come in from the borders, so
/// dark rows and columns contiguous with a border are collimation; dark regions inside, such as lead, are not),
/// takes its central part, and averages it without direct-exposure pixels. Allocation-free, SIMD over rows.</summary>
public sealed class MeasuringField(MeasuringFieldOptions? options = null)
{
    public MeasuringFieldOptions Options { get; } = options ?? new MeasuringFieldOptions();

    /// <summary>Measures <paramref name="pixels"/> (row-major, <paramref name="width"/> × <paramref name="height"/>).
    /// <paramref name="openField"/> is the collimated field when the collimator reports it; null to find it in the image.</summary>
    public BrightnessReading Measure(ReadOnlySpan<ushort> pixels, int width, int height, PixelRect? openField = null)
    {
        if (width <= 0 || height <= 0 || pixels.Length < width * height)
        {
            throw new ArgumentException($"frame of {pixels.Length} pixels does not hold {width}×{height}", nameof(pixels));
        }
        var open = openField ?? FindOpenField(pixels, width, height);
        double fraction = Math.Clamp(Options.CentralFraction, 0.05, 1.0);
        int fieldWidth = Math.Max(1, (int)(open.Width * fraction));
        int fieldHeight = Math.Max(1, (int)(open.Height * fraction));
        int left = open.Left + (open.Width - fieldWidth) / 2;
        int top = open.Top + (open.Height - fieldHeight) / 2;
        ushort direct = DirectLevel;
        ulong sum = 0;
        long counted = 0;
        ulong allSum = 0;
        for (int y = top; y < top + fieldHeight; y++)
        {
            var row = pixels.Slice(y * width + left, fieldWidth);
            SumBelow(row, direct, out ulong rowSum, out int rowCount, out ulong rowAll);
            sum += rowSum;
            counted += rowCount;
            allSum += rowAll;
        }
        int fieldPixels = fieldWidth * fieldHeight;
        // A field that is all direct exposure is as bright as it gets: report that, not nothing.
        double mean = counted > fieldPixels / 20 ? sum / (double)counted : allSum / (double)fieldPixels;
        return new BrightnessReading(Math.Max(0, mean - Options.DarkLevel), (int)counted, fieldPixels, open);
    }

    /// <summary>Finds the open field: border rows and columns darker than <see cref="MeasuringFieldOptions.CollimatedFraction"/>
    /// of the brightest profile are cut away from each side. Profiles leave direct-exposure pixels out, and a row or
    /// column that is all direct exposure counts as open (the beam reached the detector there).</summary>
    public PixelRect FindOpenField(ReadOnlySpan<ushort> pixels, int width, int height)
    {
        int stride = Math.Max(1, Options.ProfileStride);
        ushort direct = DirectLevel;
        Span<float> rows = height <= 4096 ? stackalloc float[height] : new float[height];
        Span<float> columns = width <= 4096 ? stackalloc float[width] : new float[width];
        Span<int> columnCounts = width <= 4096 ? stackalloc int[width] : new int[width];
        columns.Clear();
        columnCounts.Clear();
        for (int y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * width, width);
            bool sampleColumns = y % stride == 0;
            double rowSum = 0;
            int rowCount = 0;
            for (int x = 0; x < width; x++)
            {
                ushort p = row[x];
                if (p >= direct) continue;
                if (sampleColumns)
                {
                    columns[x] += p;
                    columnCounts[x]++;
                }
                if (x % stride == 0)
                {
                    rowSum += p;
                    rowCount++;
                }
            }
            rows[y] = rowCount == 0 ? float.PositiveInfinity : (float)(rowSum / rowCount - Options.DarkLevel);
        }
        for (int x = 0; x < width; x++)
        {
            columns[x] = columnCounts[x] == 0 ? float.PositiveInfinity : columns[x] / columnCounts[x] - (float)Options.DarkLevel;
        }
        (int top, int bottom) = OpenSpan(rows);
        (int left, int right) = OpenSpan(columns);
        return new PixelRect(left, top, right, bottom);
    }

    private ushort DirectLevel => (ushort)Math.Clamp(Options.DirectExposureFraction * Options.FullScale, 1, ushort.MaxValue);

    private (int Start, int End) OpenSpan(ReadOnlySpan<float> profile)
    {
        float max = 0;
        foreach (float v in profile)
        {
            if (float.IsFinite(v)) max = Math.Max(max, v);
        }
        if (max <= 0) return (0, profile.Length);
        float threshold = (float)(Options.CollimatedFraction * max);
        int start = 0;
        while (start < profile.Length && profile[start] < threshold) start++;
        int end = profile.Length;
        while (end > start && profile[end - 1] < threshold) end--;
        return end - start < Math.Max(8, profile.Length / 16) ? (0, profile.Length) : (start, end);
    }

    /// <summary>Sum and count of the pixels below <paramref name="limit"/>, and the sum of all pixels.</summary>
    private static void SumBelow(ReadOnlySpan<ushort> row, ushort limit, out ulong sum, out int count, out ulong all)
    {
        int i = 0;
        sum = 0;
        all = 0;
        count = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<ushort>.Count)
        {
            var vLimit = new Vector<ushort>(limit);
            var one = Vector<ushort>.One;
            var accSum = Vector<uint>.Zero;
            var accAll = Vector<uint>.Zero;
            var accCount = Vector<ushort>.Zero;
            int lanes = Vector<ushort>.Count;
            int blocks = 0;
            for (; i <= row.Length - lanes; i += lanes)
            {
                var v = new Vector<ushort>(row[i..]);
                var below = Vector.LessThan(v, vLimit);
                Vector.Widen(v & below, out var lo, out var hi);
                accSum += lo + hi;
                Vector.Widen(v, out var allLo, out var allHi);
                accAll += allLo + allHi;
                accCount += below & one;
                // Lanes hold at most 2·65535 per block; flush before a uint lane could overflow.
                if (++blocks == 16384)
                {
                    Flush(ref accSum, ref accAll, ref accCount, ref sum, ref all, ref count);
                    blocks = 0;
                }
            }
            Flush(ref accSum, ref accAll, ref accCount, ref sum, ref all, ref count);
        }
        for (; i < row.Length; i++)
        {
            ushort p = row[i];
            all += p;
            if (p < limit)
            {
                sum += p;
                count++;
            }
        }
    }

    private static void Flush(ref Vector<uint> accSum, ref Vector<uint> accAll, ref Vector<ushort> accCount, ref ulong sum, ref ulong all, ref int count)
    {
        for (int lane = 0; lane < Vector<uint>.Count; lane++)
        {
            sum += accSum[lane];
            all += accAll[lane];
        }
        for (int lane = 0; lane < Vector<ushort>.Count; lane++) count += accCount[lane];
        accSum = Vector<uint>.Zero;
        accAll = Vector<uint>.Zero;
        accCount = Vector<ushort>.Zero;
    }
}
