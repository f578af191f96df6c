using BenchmarkDotNet.Attributes;
using CathLab.Dicom.Codecs;
using CathLab.Dicom.Data;

namespace CathLab.Dicom.Bench;

/// <summary>RLE Lossless on a 1024 x 1024 16-bit frame (smooth X-ray-like content with noise), against a memcpy of the frame.</summary>

[MemoryDiagnoser]
public class RleBenchmarks
{
    private readonly DicomFrameFormat _format = new(1024, 1024, 16);
    private byte[] _frame = [];
    private byte[] _encoded = [];
    private byte[] _buffer = [];
    private byte[] _decoded = [];

    [GlobalSetup]
    public void Setup()
    {
        _frame = new byte[_format.FrameLength];
        var random = new Random(7);
        for (var r = 0; r < 1024; r++)
        for (var c = 0; c < 1024; c++)
        {
            var v = 2000 + (int)(800 * Math.Sin(r / 90.0) * Math.Cos(c / 70.0)) + random.Next(-3, 4);
            BitConverter.TryWriteBytes(_frame.AsSpan((r * 1024 + c) * 2), (ushort)v);
        }
        _buffer = new byte[RleCodec.MaxEncodedLength(_format)];
        _encoded = RleCodec.Encode(_frame, _format);
        _decoded = new byte[_format.FrameLength];
    }

    [Benchmark(Baseline = true, Description = "bound: memcpy 2 MiB frame")]
    public void Copy() => _frame.AsSpan().CopyTo(_decoded);

    [Benchmark(Description = "RleCodec.Encode 2 MiB frame")]
    public int Encode() => RleCodec.Encode(_frame, _format, _buffer);

    [Benchmark(Description = "RleCodec.Decode 2 MiB frame")]
    public void Decode() => RleCodec.Decode(_encoded, _format, _decoded);
}
