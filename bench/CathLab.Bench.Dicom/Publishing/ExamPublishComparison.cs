using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Services.StorageCommitment;
using CathLab.Publishing;
using CathLab.Testing;

namespace CathLab.Bench.Dicom.Publishing;

/// <summary>
/// Publishes a whole exam (N cines) through the station's durable outbox (journal + C-STORE, and storage commitment
/// for Orthanc) and with dcmtk's storescu (spawned, one association) to the same storescp and the same Orthanc,
/// alternating, and reports median seconds, MB/s and the ratio storescu/outbox.
/// </summary>
public static class ExamPublishComparison
{
    private const string Station = "CATHLAB";

    public static async Task<int> RunAsync(string[] args)
    {
        var cines = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8;
        var frames = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 210;
        var repetitions = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        var work = Directory.CreateTempSubdirectory("cathlab-bench-publish-").FullName;
        try
        {
            Console.WriteLine($"writing {cines} XA cines of {frames} frames 1024x1024x16 under {work}; {repetitions} repetitions; dcmtk with TCP_NODELAY=1");
            var examDir = Directory.CreateDirectory(Path.Combine(work, "exam")).FullName;
            var files = Enumerable.Range(0, cines).Select(i => Path.Combine(examDir, $"cine{i}.dcm")).ToArray();
            foreach (var file in files)
            {
                SyntheticDicomFile.Write(file, frames, 1024, 1024);
            }
            var examMb = files.Sum(f => new FileInfo(f).Length) / 1e6;
            var rows = new List<string>();

            using (var storescp = StartStorescp(out var scpPort))
            {
                await Task.Delay(500);
                try
                {
                    var destination = new PacsDestination("storescp", "STORESCP", "127.0.0.1", scpPort) { RequestCommitment = false };
                    var (outbox, dcmtk) = await CompareAsync(repetitions, work, files, destination, null, "STORESCP", scpPort, null);
                    rows.Add(Row($"{cines} cines to storescp (no commitment)", examMb, outbox, dcmtk));
                }
                finally
                {
                    storescp.Kill(entireProcessTree: true);
                    await storescp.WaitForExitAsync();
                }
            }

            var tracker = new CommitmentTracker();
            await using (var listener = DicomServer.Start(new DicomServerOptions { AeTitle = Station }, new CommitmentReportReceiver(tracker), new EchoScp()))
            using (var orthanc = new OrthancPeer(Station, listener.Port).Start())
            {
                var plain = new PacsDestination("orthanc", OrthancPeer.AeTitle, "127.0.0.1", orthanc.DicomPort) { RequestCommitment = false };
                var (o1, d1) = await CompareAsync(repetitions, work, files, plain, null, OrthancPeer.AeTitle, orthanc.DicomPort, orthanc);
                rows.Add(Row($"{cines} cines to Orthanc, no commitment", examMb, o1, d1));
                var committed = plain with { RequestCommitment = true };
                var (o2, d2) = await CompareAsync(repetitions, work, files, committed, tracker, OrthancPeer.AeTitle, orthanc.DicomPort, orthanc);
                rows.Add(Row($"{cines} cines to Orthanc, outbox with storage commitment (storescu has none)", examMb, o2, d2));
            }

            Console.WriteLine();
            Console.WriteLine($"exam: {cines} x {frames} frames = {examMb:0} MB; {repetitions} repetitions, medians; load average {LoadAverage()}");
            Console.WriteLine("| workload | outbox (median s) | storescu (median s) | outbox MB/s | storescu MB/s | ratio storescu/outbox (>= 1.0: outbox as fast or faster) |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
            rows.ForEach(Console.WriteLine);
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<(double Outbox, double Dcmtk)> CompareAsync(int repetitions, string work, string[] files, PacsDestination destination,
        CommitmentTracker? tracker, string calledAe, int port, OrthancPeer? orthanc)
    {
        var outboxTimes = new List<double>();
        var dcmtkTimes = new List<double>();
        for (var i = 0; i < repetitions; i++)
        {
            if (orthanc is not null) await OrthancClearing.ClearAsync(orthanc);
            outboxTimes.Add(await PublishThroughOutboxAsync(work, files, destination, tracker));
            if (orthanc is not null) await OrthancClearing.ClearAsync(orthanc);
            dcmtkTimes.Add(await SendWithStorescuAsync(files, calledAe, port));
            Console.WriteLine($"  {destination.Name} commitment={destination.RequestCommitment} #{i + 1}: outbox {outboxTimes[^1]:0.000} s, storescu {dcmtkTimes[^1]:0.000} s (load {LoadAverage()})");
        }
        return (Median(outboxTimes), Median(dcmtkTimes));
    }

    /// <summary>A fresh journal each time (the journal keeps one row per SOP instance, so a reused one would not send again);
    /// opening it is outside the clock, adding the exam and waiting until every object is safe at the peer is inside.</summary>
    private static async Task<double> PublishThroughOutboxAsync(string work, string[] files, PacsDestination destination, CommitmentTracker? tracker)
    {
        var journal = Path.Combine(work, $"outbox-{Guid.NewGuid():N}.db");
        var options = new OutboxOptions
        {
            JournalPath = journal,
            CallingAeTitle = Station,
            Destinations = [destination],
            KeepFiles = true,
            IdlePoll = TimeSpan.FromMilliseconds(200),
            Association = new AssociationOptions { DimseTimeout = TimeSpan.FromSeconds(120) },
        };
        double seconds;
        await using (var outbox = Outbox.Open(options, tracker))
        {
            var clock = Stopwatch.StartNew();
            foreach (var file in files)
            {
                outbox.Add(file);
            }
            while (outbox.Counts() is var counts && counts.Committed < files.Length)
            {
                if (counts.Failed > 0 || clock.Elapsed > TimeSpan.FromMinutes(5))
                {
                    throw new InvalidOperationException("outbox did not publish the exam: "
                        + string.Join("; ", outbox.Items().Select(it => $"{it.Id} {it.State} {it.LastError}")));
                }
                await Task.Delay(5);
            }
            seconds = clock.Elapsed.TotalSeconds;
        }
        foreach (var f in Directory.GetFiles(work, Path.GetFileName(journal) + "*"))
        {
            File.Delete(f);
        }
        return seconds;
    }

    private static async Task<double> SendWithStorescuAsync(string[] files, string calledAe, int port)
    {
        var clock = Stopwatch.StartNew();
        using var storescu = Process.Start(new ProcessStartInfo("storescu",
            ["-aet", "DCMTK", "-aec", calledAe, "--max-pdu", "131072", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), .. files])
        { RedirectStandardOutput = true, RedirectStandardError = true, Environment = { ["TCP_NODELAY"] = "1" } })!;
        var stdout = storescu.StandardOutput.ReadToEndAsync();
        var stderr = storescu.StandardError.ReadToEndAsync();
        await storescu.WaitForExitAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        if (storescu.ExitCode != 0 || (await stderr).Contains("E:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"storescu failed ({storescu.ExitCode}): {await stderr}{await stdout}");
        }
        return seconds;
    }

    private static Process StartStorescp(out int port)
    {
        port = FreePort.Next();
        return Process.Start(new ProcessStartInfo("storescp",
            ["--aetitle", "STORESCP", "--max-pdu", "131072", "--fork", "--ignore", port.ToString(CultureInfo.InvariantCulture)])
        { RedirectStandardOutput = true, RedirectStandardError = true, Environment = { ["TCP_NODELAY"] = "1" } })!;
    }

    private static string Row(string workload, double mb, double outbox, double dcmtk) =>
        $"| {workload} | {outbox:0.000} | {dcmtk:0.000} | {mb / outbox:0} | {mb / dcmtk:0} | {dcmtk / outbox:0.00} |";

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}

/// <summary>Empties Orthanc between repetitions, so each send stores the exam anew (Orthanc keeps the first copy of a SOP instance).</summary>
internal static class OrthancClearing
{
    public static async Task ClearAsync(OrthancPeer orthanc)
    {
        foreach (var id in (await orthanc.GetJsonAsync("patients")).EnumerateArray())
        {
            using var response = await orthanc.Http.DeleteAsync($"patients/{id.GetString()}");
            response.EnsureSuccessStatusCode();
        }
    }
}
