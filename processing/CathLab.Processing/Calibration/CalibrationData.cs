using System.Buffers.Binary;
using System.Runtime.InteropServices;
using CathLab.Processing.Frames;

namespace CathLab.Processing.Calibration;

/// <summary>Offset and gain correction for one detector mode:
/// <c>corrected = clamp((raw - Dark[i]) * Gain[i], 0, 2^bits - 1)</c>, followed by interpolation of
/// the pixels in <see cref="Defects"/>. The processing passes apply it in fixed point (dark to 1/2^(16 - bits)
/// LSB, gain to 2^-15 or finer for gains up to 2; see FixedPointCalibration).</summary>
public sealed class CalibrationData
{
    private static ReadOnlySpan<byte> Magic => "CLCAL001"u8;

    public CalibrationData(FrameGeometry geometry, float[] dark, float[] gain, DefectMap defects)
    {
        geometry.Validate();
        geometry.RequireLength(dark.Length, nameof(dark));
        geometry.RequireLength(gain.Length, nameof(gain));
        if (defects.Geometry != geometry) throw new ArgumentException("defect map was made for another frame geometry", nameof(defects));
        foreach (var g in gain)
            if (!float.IsFinite(g) || g < 0 || g > 64) throw new ArgumentException($"gain coefficient {g} outside [0, 64]", nameof(gain));
        Geometry = geometry;
        Dark = dark;
        Gain = gain;
        Defects = defects;
        DefectTable = DefectInterpolationTable.Build(defects);
        FixedPoint = FixedPointCalibration.From(this);
    }

    public FrameGeometry Geometry { get; }

    /// <summary>Mean dark (offset) frame, in LSB.</summary>
    public float[] Dark { get; }

    /// <summary>Per-pixel gain coefficient: mean(flood - dark) / (flood[i] - dark[i]).</summary>
    public float[] Gain { get; }

    public DefectMap Defects { get; }

    public DefectInterpolationTable DefectTable { get; }

    /// <summary>The 16-bit tables and integer arithmetic that the processing passes use.</summary>
    internal FixedPointCalibration FixedPoint { get; }

    /// <summary>No offset, unit gain, no defects.</summary>
    public static CalibrationData Identity(FrameGeometry geometry)
    {
        var gain = new float[geometry.PixelCount];
        gain.AsSpan().Fill(1f);
        return new CalibrationData(geometry, new float[geometry.PixelCount], gain, new DefectMap(geometry));
    }

    /// <summary>Offset, gain and defect correction of one frame into <paramref name="corrected"/>, rounded to LSB with the
    /// same fixed-point arithmetic as the processing passes (used where a corrected raw frame is kept, e.g. recorded runs).</summary>
    public void Correct(ReadOnlySpan<ushort> raw, Span<ushort> corrected)
    {
        Geometry.RequireLength(raw.Length, nameof(raw));
        Geometry.RequireLength(corrected.Length, nameof(corrected));
        Cpu.ScalarCalibration.Apply(this, raw, corrected);
    }

    public void Save(Stream stream)
    {
        Span<byte> header = stackalloc byte[8 + 4 * 4];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Geometry.Width);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], Geometry.Height);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], Geometry.BitsStored);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], Defects.Count);
        stream.Write(header);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("calibration files are little-endian");
        stream.Write(MemoryMarshal.AsBytes(Dark.AsSpan()));
        stream.Write(MemoryMarshal.AsBytes(Gain.AsSpan()));
        Span<byte> word = stackalloc byte[4];
        foreach (var index in Defects.DefectiveIndices())
        {
            BinaryPrimitives.WriteInt32LittleEndian(word, index);
            stream.Write(word);
        }
    }

    public static CalibrationData Load(Stream stream)
    {
        Span<byte> header = stackalloc byte[8 + 4 * 4];
        stream.ReadExactly(header);
        if (!header[..8].SequenceEqual(Magic)) throw new InvalidDataException("not a CathLab calibration file (bad magic)");
        var geometry = new FrameGeometry(
            BinaryPrimitives.ReadInt32LittleEndian(header[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(header[12..]),
            BinaryPrimitives.ReadInt32LittleEndian(header[16..]));
        int defectCount = BinaryPrimitives.ReadInt32LittleEndian(header[20..]);
        try { geometry.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"calibration file has an invalid geometry: {e.Message}", e); }
        if (defectCount < 0 || defectCount > geometry.PixelCount) throw new InvalidDataException($"calibration file lists {defectCount} defects");
        var dark = new float[geometry.PixelCount];
        var gain = new float[geometry.PixelCount];
        stream.ReadExactly(MemoryMarshal.AsBytes(dark.AsSpan()));
        stream.ReadExactly(MemoryMarshal.AsBytes(gain.AsSpan()));
        var defects = new DefectMap(geometry);
        Span<byte> word = stackalloc byte[4];
        for (int d = 0; d < defectCount; d++)
        {
            stream.ReadExactly(word);
            int index = BinaryPrimitives.ReadInt32LittleEndian(word);
            if ((uint)index >= (uint)geometry.PixelCount) throw new InvalidDataException($"defect index {index} outside the frame");
            defects.AddPixel(index % geometry.Width, index / geometry.Width);
        }
        return new CalibrationData(geometry, dark, gain, defects);
    }
}
