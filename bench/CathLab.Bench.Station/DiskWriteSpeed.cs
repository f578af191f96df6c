using System.Diagnostics;

namespace CathLab.Bench.Station;

/// <summary>The disk's own sequential write speed in a folder: the same number of bytes the recorder wrote, in 2 MiB
/// writes through a 1 MiB-buffered FileStream (as the XA writer does), flushed to disk, then deleted.</summary>
internal static class DiskWriteSpeed
{
    public static double BytesPerSecond(string folder, long bytes)
    {
        string path = Path.Combine(folder, $"disk-speed-{Guid.NewGuid():N}.bin");
        var chunk = new byte[2 << 20];
        Random.Shared.NextBytes(chunk);
        var clock = Stopwatch.StartNew();
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                for (long left = bytes; left > 0; left -= chunk.Length)
                    file.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
                file.Flush(flushToDisk: true);
            }
            return bytes / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
