namespace CathLab.Testing;

/// <summary>What ffprobe (Debian's ffmpeg) reads from a WebM file's first video stream, frames counted by demuxing and
/// decoding them, with whatever it warned about.</summary>
public sealed record WebMProbe(int ExitCode, string Warnings, IReadOnlyDictionary<string, string> Fields)
{
    public static WebMProbe Of(string path)
    {
        var probe = ExternalTool.Run("ffprobe", "-v", "warning", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,nb_read_frames:format=duration,format_name", "-of", "default=noprint_wrappers=1", path);
        var fields = probe.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
        return new WebMProbe(probe.ExitCode, probe.StdErr, fields);
    }

    public int Frames => int.Parse(Fields["nb_read_frames"], System.Globalization.CultureInfo.InvariantCulture);

    public int Width => int.Parse(Fields["width"], System.Globalization.CultureInfo.InvariantCulture);

    public int Height => int.Parse(Fields["height"], System.Globalization.CultureInfo.InvariantCulture);
}
