using CathLab.Testing;

namespace CathLab.Publishing.Tests.Support;

/// <summary>Synthetic run objects in a temporary spool folder, as the recorder leaves them for the outbox: run i has
/// 2 + i frames of <c>side</c>² pixels.</summary>
public static class SpooledRuns
{
    public static string[] Write(TempDirectory temp, int count, string prefix = "run", int side = 64)
    {
        var folder = temp.Sub("spool");
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var path = Path.Combine(folder, $"{prefix}{i}.dcm");
            SyntheticDicomFile.Write(path, frames: 2 + i, rows: side, columns: side);
            return path;
        })];
    }
}
