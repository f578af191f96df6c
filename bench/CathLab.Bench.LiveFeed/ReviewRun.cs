using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using CathLab.Contracts.Client;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.Xa;
using CathLab.Dicom.Uids;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Review;
using CathLab.LiveFeed.Tests.Support;
using Grpc.Core;

namespace CathLab.Bench.LiveFeed;

/// <summary>Review of a recorded run: the time from a review request to its first frame over the tests' throttling relay,
/// and the time to decode one frame of the run's object against reading the whole file and against dcmtk's dcmdrle.</summary>
internal static class ReviewRun
{
    private const string Token = "bench-review-token";
    private const string Exam = "BENCH-REVIEW";
    private const int Frames = 30;

    public static async Task<int> RunAsync(ProcessedFrameSource source, double bitsPerSecond, int requests)
    {
        string folder = Directory.CreateTempSubdirectory("cathlab-review-bench-").FullName;
        try
        {
            string path = Record(source, Path.Combine(folder, "run-1.dcm"));
            Console.WriteLine($"run: {Frames} frames of 1024×1024 from the processing pipeline, RLE Lossless, {new FileInfo(path).Length / 1e6:F1} MB");
            Console.WriteLine();
            DecodeTimes(path);
            Console.WriteLine();
            await FirstFrameTimes(path, bitsPerSecond, requests);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    private static string Record(ProcessedFrameSource source, string path)
    {
        var exam = new ExamContext(new PatientInfo("Bench^Review", "BENCH"), new StudyInfo(DicomUidGenerator.NewUid(), DateTime.Now),
            new SeriesInfo(DicomUidGenerator.NewUid(), 1), new EquipmentInfo("bench", "BENCH", "0", "0", DicomUidGenerator.NewUid()));
        using var writer = XaRunWriter.Create(path, exam, new XaRunSettings
        {
            SopInstanceUid = DicomUidGenerator.NewUid(), InstanceNumber = 1, AcquisitionStartedAt = DateTime.Now, Rows = 1024, Columns = 1024, DetectorBits = 14,
            NominalFrameTimeMs = 1000.0 / 30, FieldSizeMm = 250, DistanceSourceToDetectorMm = 1100, IrradiationEventUid = DicomUidGenerator.NewUid(),
            TransferSyntax = DicomTransferSyntax.RleLossless, ExpectedMaxFrames = 64,
        });
        for (int i = 0; i < Frames; i++)
        {
            var (_, processed, _) = source.Next();
            writer.WriteFrame(MemoryMarshal.AsBytes(processed.AsSpan()), new XaFrameRecord(DateTime.Now.AddMilliseconds(i * 33.3), 80, 400, 6.5, 30, 20));
        }
        writer.Complete();
        return path;
    }

    private static void DecodeTimes(string path)
    {
        var buffer = new byte[1024 * 1024 * 2];
        using (var reader = XaRunReader.Open(path))
            for (int i = 0; i < Frames; i++) reader.ReadFrame(i, buffer); // warm-up (JIT, page cache)
        var one = new List<double>();
        for (int round = 0; round < 5; round++)
        {
            using var reader = XaRunReader.Open(path);
            for (int i = 0; i < Frames; i++)
            {
                long t = Stopwatch.GetTimestamp();
                reader.ReadFrame((i * 7) % Frames, buffer);
                one.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }
        one.Sort();
        var whole = Stopwatch.StartNew();
        using (var reader = DicomFileReader.Open(path))
        {
            _ = File.ReadAllBytes(path);
            for (int i = 0; i < reader.FrameCount; i++) reader.ReadFrame(i, buffer);
        }
        double wholeMs = whole.Elapsed.TotalMilliseconds;
        string native = Path.ChangeExtension(path, ".native.dcm");
        var dcmtk = Stopwatch.StartNew();
        using (var p = Process.Start(new ProcessStartInfo("dcmdrle", ["+te", path, native]) { RedirectStandardError = true, RedirectStandardOutput = true })!)
            p.WaitForExit();
        double dcmtkMs = dcmtk.Elapsed.TotalMilliseconds;
        double p50 = one[one.Count / 2], p99 = one[(int)(one.Count * 0.99)];
        Console.WriteLine("| decode of one 1024×1024 RLE frame (XaRunReader.ReadFrame, random order) | p50 ms | p99 ms | reading and decoding the whole run ms (file read + every frame) | ratio one frame / whole run | dcmdrle whole run ms (process included) | per frame ms | ratio ours / dcmtk per frame |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine($"| {one.Count} reads | {p50:F2} | {p99:F2} | {wholeMs:F0} | {p50 / wholeMs:F3} | {dcmtkMs:F0} | {dcmtkMs / Frames:F2} | {p50 / (dcmtkMs / Frames):F2} |");
    }

    private static async Task FirstFrameTimes(string path, double bitsPerSecond, int requests)
    {
        var (app, port) = await BenchHost.StartAsync(Token, Exam, new OneRun(new RecordedRunEntry("RUN-1", 1, "Coronary cine", "cine", path, 30, DateTimeOffset.Now, false)));
        await using var _ = app;
        await using var relay = new ThrottlingRelay(new IPEndPoint(IPAddress.Loopback, port), bitsPerSecond);
        Metadata bearer = [new Metadata.Entry("authorization", "Bearer " + Token)];
        var cold = new List<double>();
        var warm = new List<double>();
        double firstEver;
        using (var channel = LiveFeedObserver.CreateChannel(new Uri($"http://127.0.0.1:{relay.Port}")))
            firstEver = await FirstFrameMs(new CathLab.LiveFeed.Protocol.LiveFeed.LiveFeedClient(channel), bearer, 1); // the process's first: JIT of both sides
        for (int i = 0; i < requests; i++)
        {
            // A fresh channel: the connection through the relay is part of what the viewer waits for on its first click.
            using var channel = LiveFeedObserver.CreateChannel(new Uri($"http://127.0.0.1:{relay.Port}"));
            var client = new CathLab.LiveFeed.Protocol.LiveFeed.LiveFeedClient(channel);
            cold.Add(await FirstFrameMs(client, bearer, (uint)(1 + i % Frames)));
            warm.Add(await FirstFrameMs(client, bearer, (uint)(1 + (i + 15) % Frames)));
        }
        cold.Sort();
        warm.Sort();
        Console.WriteLine($"| review request → first frame over the throttling relay at {bitsPerSecond / 1e6:F1} Mbit/s | requests | p50 ms | max ms | first frame's level / bytes |");
        Console.WriteLine("| --- | ---: | ---: | ---: | --- |");
        Console.WriteLine($"| new connection (channel made, call opened, request sent) | {cold.Count} | {cold[cold.Count / 2]:F0} | {cold[^1]:F0} | {_lastLevel} / {_lastBytes} |");
        Console.WriteLine($"| open connection (another run request on the same channel) | {warm.Count} | {warm[warm.Count / 2]:F0} | {warm[^1]:F0} | {_lastLevel} / {_lastBytes} |");
        Console.WriteLine($"| the process's first request (JIT, not in the rows above) | 1 | {firstEver:F0} | {firstEver:F0} | |");
    }

    private static uint _lastLevel;
    private static int _lastBytes;

    private static async Task<double> FirstFrameMs(CathLab.LiveFeed.Protocol.LiveFeed.LiveFeedClient client, Metadata bearer, uint start)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        using var call = client.Review(bearer, cancellationToken: stop.Token);
        await call.RequestStream.WriteAsync(new ReviewMessage { Review = new ReviewRequest { ExamId = Exam, RunId = "RUN-1", StartFrame = start, FrameCount = 1, BestTier = Tier.Diagnostic } });
        while (await call.ResponseStream.MoveNext(stop.Token))
        {
            if (call.ResponseStream.Current.Frame is not { } frame) continue;
            double ms = clock.Elapsed.TotalMilliseconds;
            (_lastLevel, _lastBytes) = (frame.Level, frame.Data.Length);
            await call.RequestStream.WriteAsync(new ReviewMessage { Ack = new Ack { FrameNumber = frame.FrameNumber } });
            await call.RequestStream.CompleteAsync();
            return ms;
        }
        throw new InvalidOperationException("the review ended without a frame");
    }

    private sealed class OneRun(RecordedRunEntry entry) : IRecordedRunCatalog
    {
        public IReadOnlyList<RecordedRunEntry> RunsOf(string examId) => examId == Exam ? [entry] : [];
    }
}
