namespace CathLab.LiveFeed.Video;

/// <summary>Shrinks a square grey picture by a whole factor, each output pixel the mean of its block.</summary>
internal static class BoxDownscale
{
    public static void Into(ReadOnlySpan<byte> source, int sourceSize, Span<byte> target, int targetSize)
    {
        if (sourceSize % targetSize != 0) throw new ArgumentException($"{sourceSize}² does not shrink evenly to {targetSize}²", nameof(targetSize));
        if (source.Length < sourceSize * sourceSize || target.Length < targetSize * targetSize)
            throw new ArgumentException("a picture is smaller than its size says");
        int factor = sourceSize / targetSize;
        if (factor == 1)
        {
            source[..(sourceSize * sourceSize)].CopyTo(target);
            return;
        }
        int area = factor * factor;
        for (int y = 0; y < targetSize; y++)
        {
            for (int x = 0; x < targetSize; x++)
            {
                int sum = 0;
                for (int dy = 0; dy < factor; dy++)
                {
                    var row = source.Slice((y * factor + dy) * sourceSize + x * factor, factor);
                    foreach (byte value in row) sum += value;
                }
                target[y * targetSize + x] = (byte)((sum + area / 2) / area);
            }
        }
    }
}
