using System.Diagnostics;
using System.Globalization;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Testing;

namespace CathLab.Bench.Dicom.Network;

/// <summary>
/// Sends the same objects to the same dcmtk storescp with our StoreScu (in process) and with dcmtk's storescu
/// (spawned), alternating, and reports median wall time ratios and our memory per send.
/// </summary>
public static class StoreComparison
{
    private const int Iterations = 3;

    // Debian's dcmtk leaves Nagle's algorithm on unless TCP_NODELAY=1; "1" gives dcmtk its best case.
    private static string NagleSetting = "1";

    public static async Task<int> RunAsync(string[] args)
    {
        var bigFrames = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 210;
        var smallCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
        NagleSetting = args.Length > 2 ? args[2] : "1";
        Console.WriteLine($"dcmtk peers run with TCP_NODELAY={NagleSetting}");
        var work = Directory.CreateTempSubdirectory("cathlab-bench-net-").FullName;
        try
        {
            Console.WriteLine($"writing a {bigFrames}-frame 1024x1024x16 XA object, a quarter-size one and {smallCount} small objects under {work}");
            var big = Path.Combine(work, "big.dcm");
            SyntheticDicomFile.Write(big, bigFrames, 1024, 1024);
            var quarter = Path.Combine(work, "quarter.dcm");
            SyntheticDicomFile.Write(quarter, Math.Max(1, bigFrames / 4), 1024, 1024);
            var smallDir = Directory.CreateDirectory(Path.Combine(work, "small")).FullName;
            var smalls = Enumerable.Range(0, smallCount).Select(i => Path.Combine(smallDir, $"s{i:D4}.dcm")).ToArray();
            foreach (var s in smalls)
            {
                SyntheticDicomFile.Write(s, 1, 64, 64);
            }

            var port = FreePort.Next();
            using var storescp = Process.Start(new ProcessStartInfo("storescp",
                ["--aetitle", "STORESCP", "--max-pdu", "131072", "--fork", "--ignore", port.ToString(CultureInfo.InvariantCulture)])
            { RedirectStandardOutput = true, RedirectStandardError = true, Environment = { ["TCP_NODELAY"] = NagleSetting } })!;
            await Task.Delay(500);
            try
            {
                var peer = new DicomPeer("127.0.0.1", port, "STORESCP", "CATHLAB");
                var options = new AssociationOptions();
                var scu = new StoreScu(peer, options);
                await scu.StoreAsync(smalls.Take(20).ToArray()); // JIT and pools warm before timing
                await scu.StoreAsync(quarter);

                var rows = new List<string>();
                var bigMb = new FileInfo(big).Length / 1e6;
                var (oursBig, dcmtkBig, allocBig) = await CompareAsync(() => scu.StoreAsync([big]), ["127.0.0.1", port.ToString(CultureInfo.InvariantCulture), big]);
                var (_, _, allocQuarter) = await CompareAsync(() => scu.StoreAsync([quarter]), null);
                rows.Add(Row($"1 XA object, {bigFrames} frames 1024x1024x16 ({bigMb:0} MB)", oursBig, dcmtkBig, $"{bigMb / oursBig:0} MB/s vs {bigMb / dcmtkBig:0} MB/s"));
                var (oursSmall, dcmtkSmall, _) = await CompareAsync(() => scu.StoreAsync(smalls), ["+sd", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), smallDir]);
                rows.Add(Row($"{smallCount} small objects (64x64x16), one association", oursSmall, dcmtkSmall, $"{smallCount / oursSmall:0} vs {smallCount / dcmtkSmall:0} objects/s"));
                var (oursSmall2, _, _) = await CompareAsync(() => scu.StoreAsync(smalls, associations: 2), null);
                rows.Add(Row($"{smallCount} small objects, ours on 2 parallel associations", oursSmall2, dcmtkSmall, $"{smallCount / oursSmall2:0} objects/s"));

                // the same comparison against our own SCP (writing Part 10 files to disk), where storescp's receive path is not the limit
                await using (var ourScp = DicomServer.Start(new DicomServerOptions { AeTitle = "OURSCP" }, new StoreScp(Path.Combine(work, "received"))))
                {
                    var ourPort = ourScp.Port.ToString(CultureInfo.InvariantCulture);
                    var toOurs = new StoreScu(new DicomPeer("127.0.0.1", ourScp.Port, "OURSCP", "CATHLAB"), options);
                    var (o, d, _) = await CompareAsync(() => toOurs.StoreAsync([big]), ["127.0.0.1", ourPort, big], "OURSCP");
                    rows.Add(Row($"1 XA object ({bigMb:0} MB) to our SCP (writes to disk)", o, d, $"{bigMb / o:0} MB/s vs {bigMb / d:0} MB/s"));
                    var (os, ds, _) = await CompareAsync(() => toOurs.StoreAsync(smalls), ["+sd", "127.0.0.1", ourPort, smallDir], "OURSCP");
                    rows.Add(Row($"{smallCount} small objects to our SCP", os, ds, $"{smallCount / os:0} vs {smallCount / ds:0} objects/s"));
                }

                Console.WriteLine();
                Console.WriteLine("| workload | ours (median s) | dcmtk storescu (median s) | ratio dcmtk/ours (>= 1.0: as fast or faster) | throughput |");
                Console.WriteLine("| --- | --- | --- | --- | --- |");
                rows.ForEach(Console.WriteLine);
                Console.WriteLine();
                Console.WriteLine($"managed allocation per send: {allocQuarter / 1024.0:0} KiB for the {new FileInfo(quarter).Length / 1e6:0} MB object, "
                    + $"{allocBig / 1024.0:0} KiB for the {bigMb:0} MB object");
                Console.WriteLine($"process peak working set after all runs: {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB (objects are {bigMb:0} MB)");
            }
            finally
            {
                storescp.Kill(entireProcessTree: true);
                await storescp.WaitForExitAsync();
            }
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<(double Ours, double Dcmtk, long Allocated)> CompareAsync(Func<Task<IReadOnlyList<StoreResult>>> ours, string[]? dcmtkArgs, string calledAe = "STORESCP")
    {
        var oursTimes = new List<double>();
        var dcmtkTimes = new List<double>();
        long allocated = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            var results = await ours();
            oursTimes.Add(clock.Elapsed.TotalSeconds);
            allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            if (results.Any(r => !r.Stored))
            {
                throw new InvalidOperationException($"our store failed: {results.First(r => !r.Stored)}");
            }
            if (dcmtkArgs is not null)
            {
                clock.Restart();
                using var storescu = Process.Start(new ProcessStartInfo("storescu", ["-aet", "DCMTK", "-aec", calledAe, "--max-pdu", "131072", .. dcmtkArgs])
                { RedirectStandardOutput = true, RedirectStandardError = true, Environment = { ["TCP_NODELAY"] = NagleSetting } })!;
                var stderr = storescu.StandardError.ReadToEndAsync();
                await storescu.WaitForExitAsync();
                dcmtkTimes.Add(clock.Elapsed.TotalSeconds);
                if (storescu.ExitCode != 0)
                {
                    throw new InvalidOperationException($"storescu failed: {await stderr}");
                }
            }
        }
        return (Median(oursTimes), dcmtkTimes.Count > 0 ? Median(dcmtkTimes) : double.NaN, allocated);
    }

    private static string Row(string workload, double ours, double dcmtk, string throughput) =>
        $"| {workload} | {ours:0.000} | {dcmtk:0.000} | {dcmtk / ours:0.00} | {throughput} |";

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
