using System.Diagnostics;
using System.Globalization;
using CathLab.Bench.Compression;
using CathLab.Dicom.Codecs;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Uids;

// Lossless compression of the simulator's raw fluoro, cine and DSA frames at 10, 12 and 14 bits stored: bytes per frame
// and encode/decode ms per frame on one core, for RLE (ours), JPEG-LS (ours, CharLS) and dcmtk's dcmcjpls/dcmdjpls.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var frames = Option("--frames", 12);
var repeats = Option("--repeats", 3);
var work = Directory.CreateTempSubdirectory("cathlab-compression-").FullName;
var clock = Stopwatch.StartNew();
var sequences = new List<RawSequence>();
foreach (var bits in new[] { 10, 12, 14 })
{
    sequences.Add(RawSequence.Fluoro(frames, bits));
    sequences.Add(RawSequence.Cine(frames, bits));
    sequences.Add(RawSequence.Dsa(frames, bits));
}
Console.Error.WriteLine($"rendered {sequences.Count} × {frames} frames in {clock.Elapsed.TotalSeconds:0} s");

// One core for everything timed from here on: this process and the dcmtk tools it starts (Linux children inherit it).
if (OperatingSystem.IsLinux()) Process.GetCurrentProcess().ProcessorAffinity = 1;

var rows = new List<string>();
foreach (var s in sequences)
{
    var format = new DicomFrameFormat(RawSequence.Side, RawSequence.Side, 16, BitsStored: s.BitsStored);
    var rle = Measure(RleFrameCodec.Instance, s, format);
    var jls = Measure(JpegLsCodec.Lossless, s, format);
    var charls = Measure(JpegLsCodec.LosslessThroughCharLs, s, format);
    var dcmtk = MeasureDcmtk(s, format);
    rows.Add($"| {s.Name} | {s.BitsStored} | {format.FrameLength / rle.Bytes:0.00}:1 | {format.FrameLength / jls.Bytes:0.00}:1 | {rle.Bytes:0} | {jls.Bytes:0} | {charls.Bytes:0} | {dcmtk.Bytes:0} | {100 * (jls.Bytes / dcmtk.Bytes - 1):+0.00;-0.00} % "
        + $"| {rle.EncodeMs:0.0} | {rle.DecodeMs:0.0} | {jls.EncodeMs:0.0} | {charls.EncodeMs:0.0} | {jls.DecodeMs:0.0} | {dcmtk.EncodeMs:0.0} | {dcmtk.DecodeMs:0.0} | {dcmtk.EncodeMs / jls.EncodeMs:0.00}× | {1000 / jls.EncodeMs:0} |");
    Console.Error.WriteLine($"{s.Name} {s.BitsStored} bits done at {clock.Elapsed.TotalSeconds:0} s");
}

Console.WriteLine($"{frames} frames of 1024×1024 per run (16 bits allocated), best of {repeats} passes, one core (affinity CPU 0); {Environment.ProcessorCount} CPUs, {RuntimeInfo()}");
Console.WriteLine();
Console.WriteLine("| run | bits stored | RLE ratio | JPEG-LS ratio | RLE bytes/frame | JPEG-LS ours bytes/frame | CharLS bytes/frame | dcmcjpls bytes/frame | ours vs dcmtk size | RLE enc ms | RLE dec ms | JPEG-LS ours enc ms | CharLS enc ms | JPEG-LS dec ms (CharLS) | dcmcjpls enc ms | dcmdjpls dec ms | ours enc speed-up vs dcmtk | ours enc fps (one core) |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var r in rows) Console.WriteLine(r);
Directory.Delete(work, recursive: true);
Console.Error.WriteLine($"whole run {clock.Elapsed.TotalSeconds:0} s");
return;

int Option(string name, int fallback) =>
    args.SkipWhile(a => a != name).Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(fallback);

static string RuntimeInfo() => $".NET {Environment.Version}";

// Our codecs: every frame encoded, then decoded and checked, per pass; the best pass's time per frame.
(double Bytes, double EncodeMs, double DecodeMs) Measure(IDicomFrameCodec codec, RawSequence s, DicomFrameFormat format)
{
    var encoded = s.Frames.Select(_ => new byte[codec.MaxEncodedLength(format)]).ToArray();
    var lengths = new int[s.Frames.Length];
    var decoded = new byte[format.FrameLength];
    double encodeBest = double.MaxValue, decodeBest = double.MaxValue;
    for (var r = 0; r < repeats; r++)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < s.Frames.Length; i++) lengths[i] = codec.Encode(s.Frames[i], format, encoded[i]);
        encodeBest = Math.Min(encodeBest, watch.Elapsed.TotalMilliseconds / s.Frames.Length);
        var decoding = TimeSpan.Zero;
        for (var i = 0; i < s.Frames.Length; i++)
        {
            watch.Restart();
            codec.Decode(encoded[i].AsSpan(0, lengths[i]), format, decoded);
            decoding += watch.Elapsed;
            if (!decoded.AsSpan().SequenceEqual(s.Frames[i])) throw new InvalidOperationException($"{codec.Syntax.Name} frame {i} of {s.Name} does not decode to itself");
        }
        decodeBest = Math.Min(decodeBest, decoding.TotalMilliseconds / s.Frames.Length);
    }
    return (lengths.Average(), encodeBest, decodeBest);
}

// dcmtk: the same frames in an uncompressed file (and its first frame alone), compressed and decompressed by the tools.
(double Bytes, double EncodeMs, double DecodeMs) MeasureDcmtk(RawSequence s, DicomFrameFormat format)
{
    var many = Path.Combine(work, "many.dcm");
    var one = Path.Combine(work, "one.dcm");
    WriteNative(many, s, s.Frames.Length);
    WriteNative(one, s, 1);
    var compressedMany = Path.Combine(work, "many-jls.dcm");
    var compressedOne = Path.Combine(work, "one-jls.dcm");
    var encodeMs = DcmtkTimer.PerFrameMs("dcmcjpls", one, many, s.Frames.Length, compressedMany, repeats);
    DcmtkTimer.BestSeconds("dcmcjpls", one, compressedOne, 1);
    double bytes = 0;
    using (var reader = DicomFileReader.Open(compressedMany))
    {
        var frame = new byte[format.FrameLength];
        for (var i = 0; i < reader.FrameCount; i++)
        {
            bytes += reader.EncodedFrameLength(i);
            reader.ReadFrame(i, frame);
            if (!frame.AsSpan().SequenceEqual(s.Frames[i])) throw new InvalidOperationException($"dcmcjpls frame {i} of {s.Name} does not decode to itself");
        }
    }
    var decodeMs = DcmtkTimer.PerFrameMs("dcmdjpls", compressedOne, compressedMany, s.Frames.Length, Path.Combine(work, "decoded.dcm"), repeats);
    return (bytes / s.Frames.Length, encodeMs, decodeMs);
}

static void WriteNative(string path, RawSequence s, int count)
{
    var header = new DicomDataSet()
        .SetString(DicomTags.SOPClassUID, DicomUids.XRayAngiographicImageStorage)
        .SetString(DicomTags.SOPInstanceUID, DicomUidGenerator.NewUid())
        .SetString(DicomTags.Modality, "XA")
        .SetString(DicomTags.StudyInstanceUID, DicomUidGenerator.NewUid())
        .SetString(DicomTags.SeriesInstanceUID, DicomUidGenerator.NewUid())
        .SetInt(DicomTags.SamplesPerPixel, 1)
        .SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2")
        .SetInt(DicomTags.Rows, RawSequence.Side)
        .SetInt(DicomTags.Columns, RawSequence.Side)
        .SetInt(DicomTags.BitsAllocated, 16)
        .SetInt(DicomTags.BitsStored, s.BitsStored)
        .SetInt(DicomTags.HighBit, s.BitsStored - 1)
        .SetInt(DicomTags.PixelRepresentation, 0);
    using var writer = DicomMultiFrameWriter.Create(path, header, DicomTransferSyntax.ExplicitVRLittleEndian);
    for (var i = 0; i < count; i++) writer.WriteFrame(s.Frames[i]);
    writer.Complete();
}
