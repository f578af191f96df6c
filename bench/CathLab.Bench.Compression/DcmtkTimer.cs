using System.Diagnostics;

namespace CathLab.Bench.Compression;

/// <summary>Runs a dcmtk tool on a file and times it from start to exit (the best of several runs). The tool's per-frame
/// time is (time for the N-frame file − time for the 1-frame file) / (N − 1): process start, dictionary load and the
/// header cost the same in both, so they cancel.</summary>
internal static class DcmtkTimer
{
    public static double BestSeconds(string tool, string input, string output, int repeats)
    {
        var best = double.MaxValue;
        for (var r = 0; r < repeats; r++)
        {
            File.Delete(output);
            var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add(input);
            psi.ArgumentList.Add(output);
            var clock = Stopwatch.StartNew();
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{tool} did not start");
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            clock.Stop();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {input} failed: {stderr.Result}");
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    public static double PerFrameMs(string tool, string oneFrame, string manyFrames, int frames, string output, int repeats)
    {
        var one = BestSeconds(tool, oneFrame, output + ".one", repeats);
        var many = BestSeconds(tool, manyFrames, output, repeats);
        File.Delete(output + ".one");
        return (many - one) * 1000 / (frames - 1);
    }
}
