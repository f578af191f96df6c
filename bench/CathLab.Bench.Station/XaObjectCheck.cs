using System.Diagnostics;
using System.Globalization;

namespace CathLab.Bench.Station;

/// <summary>Reads a recorded XA object back with pydicom, an independent reader, without its pixel data.</summary>
internal static class XaObjectCheck
{
    private const string Script = """
        import sys, pydicom
        ds = pydicom.dcmread(sys.argv[1], stop_before_pixels=True)
        print(ds.SOPClassUID, int(ds.NumberOfFrames), ds.file_meta.TransferSyntaxUID.name.replace(' ', '_'))
        """;

    /// <summary>The object's SOP class, Number of Frames (0028,0008) and transfer syntax; throws with pydicom's words when it cannot be read.</summary>
    public static (string SopClass, int Frames, string TransferSyntax) Read(string path)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add(path);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("python3 did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"pydicom could not read {path}: {stderr.Result.Trim()}");
        var fields = stdout.Trim().Split(' ');
        return (fields[0], int.Parse(fields[1], CultureInfo.InvariantCulture), fields[2].Replace('_', ' '));
    }
}
