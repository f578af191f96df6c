using BenchmarkDotNet.Attributes;
using CathLab.Dicom.Codecs;
using CathLab.Dicom.Data;

namespace CathLab.Dicom.Bench;

/// <summary>
/// RLE Lossless on one 1024 x 1024 16-bit frame, against a memcpy of the frame in the same run. "xray" is a
/// 14-bit frame like a cine frame (round collimator with black corners, a saturated direct-exposure patch,
/// smooth anatomy with quantum noise); "random" is uniform noise in all 16 bits, the encoder's worst case;
/// "xray8" is the X-ray frame's top 8 bits in an 8-bit frame (1 MiB).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class RleBenchmarks
{
    private DicomFrameFormat _format = new(1024, 1024, 16);
    private byte[] _frame = [];
    private byte[] _encoded = [];
    private byte[] _buffer = [];
    private byte[] _decoded = [];

    [Params("xray", "random", "xray8")]
    public string Content { get; set; } = "xray";

    [GlobalSetup]
    public void Setup()
    {
        _format = new DicomFrameFormat(1024, 1024, Content == "xray8" ? 8 : 16);
        _frame = Content switch
        {
            "xray" => XRayLikeFrame(_format.Rows, _format.Columns, seed: 7),
            "xray8" => TopByte(XRayLikeFrame(_format.Rows, _format.Columns, seed: 7)),
            _ => RandomFrame(_format.FrameLength, seed: 7),
        };
        _buffer = new byte[RleCodec.MaxEncodedLength(_format)];
        _encoded = RleCodec.Encode(_frame, _format);
        _decoded = new byte[_format.FrameLength];
        Console.WriteLine($"// {Content}: {_frame.Length} bytes encode to {_encoded.Length} ({100.0 * _encoded.Length / _frame.Length:F1} %)");
    }

    [Benchmark(Baseline = true, Description = "bound: memcpy of the frame")]
    public void Copy() => _frame.AsSpan().CopyTo(_decoded);

    [Benchmark(Description = "RleCodec.Encode one frame")]
    public int Encode() => RleCodec.Encode(_frame, _format, _buffer);

    [Benchmark(Description = "RleCodec.Decode one frame")]
    public void Decode() => RleCodec.Decode(_encoded, _format, _decoded);

    internal static byte[] XRayLikeFrame(int rows, int columns, int seed)
    {
        var frame = new byte[rows * columns * 2];
        var random = new Random(seed);
        double cx = columns / 2.0, cy = rows / 2.0, radius = 0.47 * Math.Min(rows, columns);
        for (var r = 0; r < rows; r++)
        for (var c = 0; c < columns; c++)
        {
            double dx = c - cx, dy = r - cy;
            int v;
            if (dx * dx + dy * dy > radius * radius) v = 0;                 // collimator
            else if (c > columns * 0.75 && r < rows * 0.3) v = 16383;        // direct exposure, saturated
            else
            {
                var anatomy = 5200 + 2400 * Math.Sin(r / 110.0) * Math.Cos(c / 85.0)
                            - 1800 * Math.Exp(-((dx - 120) * (dx - 120) + (dy + 60) * (dy + 60)) / 7200.0);
                var gauss = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                v = Math.Clamp((int)(anatomy + 0.5 * Math.Sqrt(anatomy) * gauss), 0, 16383); // quantum noise ~ sqrt(signal)
            }
            frame[(r * columns + c) * 2] = (byte)v;
            frame[(r * columns + c) * 2 + 1] = (byte)(v >> 8);
        }
        return frame;
    }

    /// <summary>14-bit pixels scaled to 8 bits.</summary>
    private static byte[] TopByte(byte[] frame16)
    {
        var frame = new byte[frame16.Length / 2];
        for (var i = 0; i < frame.Length; i++) frame[i] = (byte)((frame16[2 * i] | frame16[2 * i + 1] << 8) >> 6);
        return frame;
    }

    private static byte[] RandomFrame(int length, int seed)
    {
        var frame = new byte[length];
        new Random(seed).NextBytes(frame);
        return frame;
    }
}
