using CathLab.Dicom.Data;

namespace CathLab.Dicom.Tests.Codecs;

/// <summary>Frames that exercise RLE: the content kinds a cine holds and the packet-length edges of PackBits.</summary>
internal static class RlePatterns
{
    public static readonly string[] Names = ["random", "constant", "ramp", "xray", "alternating", "boundary", "pairs", "triples"];

    /// <summary>Run and literal lengths at the edges of PackBits packets (2 and 3 decide run or literal; 128 is the longest packet).</summary>
    public static readonly int[] EdgeLengths = [1, 2, 3, 127, 128, 129, 130];

    public static byte[] Frame(string name, DicomFrameFormat format, int seed = 1)
    {
        if (name == "xray") return XRay(format, seed);
        var planes = format.SegmentCount;
        var frame = new byte[format.FrameLength];
        var random = new Random(seed);
        for (var r = 0; r < format.Rows; r++)
        for (var s = 0; s < planes; s++)
        {
            var plane = PlaneRow(name, format, r, s, random);
            // Segment s holds byte (BytesPerSample - 1 - s % BytesPerSample) of sample s / BytesPerSample.
            var offset = s / format.BytesPerSample * format.BytesPerSample + format.BytesPerSample - 1 - s % format.BytesPerSample;
            for (var c = 0; c < format.Columns; c++) frame[(r * format.Columns + c) * planes + offset] = plane[c];
        }
        return frame;
    }

    private static byte[] PlaneRow(string name, DicomFrameFormat format, int r, int s, Random random)
    {
        var n = format.Columns;
        var row = new byte[n];
        switch (name)
        {
            case "random":
                random.NextBytes(row);
                break;
            case "constant":
                Array.Fill(row, (byte)(0x5A + s));
                break;
            case "ramp":
                for (var c = 0; c < n; c++) row[c] = (byte)(s == 0 ? (c + r) >> 4 : c + r);
                break;
            case "alternating":
                for (var c = 0; c < n; c++) row[c] = (byte)((c & 1) == 0 ? 0x00 : 0xFF - s);
                break;
            case "pairs":   // a a b b c c: the length where a replicate saves nothing
                for (var c = 0; c < n; c++) row[c] = (byte)(c / 2 * 31 + s);
                break;
            case "triples": // a a a b: the shortest replicate between one-byte literals
                for (var c = 0; c < n; c++) row[c] = (byte)(c % 4 == 3 ? 0xEE : c / 4 * 17 + s);
                break;
            case "boundary":
                FillBoundary(row, r * 7 + s * 3, random);
                break;
            default:
                throw new ArgumentException(name);
        }
        return row;
    }

    /// <summary>Runs and literals of every edge length, in an order that changes from row to row.</summary>
    private static void FillBoundary(byte[] row, int shift, Random random)
    {
        var c = 0;
        var previous = 0;
        var k = shift;
        while (c < row.Length)
        {
            var length = EdgeLengths[k % EdgeLengths.Length];
            var literal = (k / EdgeLengths.Length + shift) % 2 == 1 || random.Next(4) == 0;
            k++;
            if (literal)
            {
                // Consecutive bytes step by an odd amount, so no two neighbours are equal.
                var start = previous + 1 + random.Next(3) * 2;
                for (var i = 0; i < length && c < row.Length; i++) row[c++] = (byte)(previous = (start + i * 37) & 0xFF);
            }
            else
            {
                var value = (byte)(previous + 101);
                for (var i = 0; i < length && c < row.Length; i++) row[c++] = value;
                previous = value;
            }
        }
    }

    /// <summary>A 14-bit cine-like frame: round collimator, saturated patch, smooth anatomy with quantum noise (8-bit: the top 8 bits).</summary>
    private static byte[] XRay(DicomFrameFormat format, int seed)
    {
        var frame = new byte[format.FrameLength];
        var random = new Random(seed);
        int rows = format.Rows, columns = format.Columns, samples = format.SamplesPerPixel, bytes = format.BytesPerSample;
        double cx = columns / 2.0, cy = rows / 2.0, radius = 0.47 * Math.Max(rows, columns);
        for (var r = 0; r < rows; r++)
        for (var c = 0; c < columns; c++)
        {
            double dx = c - cx, dy = r - cy;
            int v;
            if (dx * dx + dy * dy > radius * radius) v = 0;
            else if (c > columns * 0.75 && r < rows * 0.3) v = 16383;
            else
            {
                var anatomy = 5200 + 2400 * Math.Sin(r / 110.0) * Math.Cos(c / 85.0);
                var gauss = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                v = Math.Clamp((int)(anatomy + 0.5 * Math.Sqrt(anatomy) * gauss), 0, 16383);
            }
            if (bytes == 1) v >>= 6;
            for (var s = 0; s < samples; s++)
            for (var b = 0; b < bytes; b++)
                frame[((r * columns + c) * samples + s) * bytes + b] = (byte)(b < 2 ? v >> (8 * b) : 0);
        }
        return frame;
    }
}
