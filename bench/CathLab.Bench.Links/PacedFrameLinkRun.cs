using System.Diagnostics;
using CathLab.Sims.Detector;
using CathLab.Sims.Generator;
using CathLab.Wire.Generator;

namespace CathLab.Bench.Links;

/// <summary>The end-to-end check behind the 60 fps claim: a pulse thread paced like the generator at
/// 60 pulses per second for a number of seconds, the detector rendering 1024×1024 16-bit frames, and a
/// real frame-link client receiving them. Prints frames sent, received, lost, and latency.</summary>
internal static class PacedFrameLinkRun
{
    public static async Task<int> RunAsync(int seconds, int fps)
    {
        var clock = Stopwatch.StartNew();
        long NowMicroseconds() => clock.ElapsedTicks * 1_000_000 / Stopwatch.Frequency;
        using var detector = new SimulatedDetector(new SimulatedDetectorOptions { BitsStored = 16 });
        detector.Start();
        using var receiver = await FrameLinkReceiver.ConnectAsync(detector.Port, NowMicroseconds);
        await Task.Delay(200);
        int pulses = seconds * fps;
        var technique = new Technique(80, 200, 6);
        double periodUs = 1e6 / fps;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long start = NowMicroseconds();
        var pulseThread = new Thread(() =>
        {
            for (int i = 0; i < pulses; i++)
            {
                long due = start + (long)(i * periodUs);
                while (NowMicroseconds() < due - 1500)
                {
                    Thread.Sleep(1);
                }
                while (NowMicroseconds() < due)
                {
                    Thread.SpinWait(20);
                }
                if (i % (fps * 2) == fps)
                {
                    detector.InjectContrast();
                }
                detector.OnPulse(new DeliveredPulse((uint)i + 1, NowMicroseconds(), technique, ExposureKind.Cine, detector.Physics.AirKermaMicroGray(technique)));
            }
        }) { Priority = ThreadPriority.Highest, Name = "pulse pacing" };
        pulseThread.Start();
        pulseThread.Join();
        long sentAt = NowMicroseconds();
        try
        {
            receiver.WaitFor(pulses, TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException e)
        {
            Console.WriteLine(e.Message);
        }
        long elapsedUs = receiver.LastReceiptMicroseconds - start;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var latencies = receiver.Latencies.Order().ToArray();
        long lost = pulses - receiver.Received;
        Console.WriteLine($"## paced frame link: {fps} fps × {seconds} s, 1024×1024 × 16 bit");
        Console.WriteLine($"pulses sent           {pulses}");
        Console.WriteLine($"frames received       {receiver.Received}");
        Console.WriteLine($"frames lost           {lost} (sequence gaps {receiver.Lost}, render overruns {detector.PulsesOverrun}, pool exhausted {detector.PoolExhausted}, slow-client drops {detector.FramesDroppedForSlowClients})");
        Console.WriteLine($"achieved rate         {receiver.Received / (elapsedUs / 1e6):0.00} fps over {elapsedUs / 1e6:0.00} s (last frame {(receiver.LastReceiptMicroseconds - sentAt) / 1000.0:0.0} ms after the last pulse)");
        Console.WriteLine($"throughput            {receiver.Received * 2.0 / (elapsedUs / 1e6):0.0} MiB/s");
        if (latencies.Length > 0)
        {
            Console.WriteLine($"pulse→receipt latency p50 {latencies[latencies.Length / 2] / 1000.0:0.00} ms, p99 {latencies[latencies.Length * 99 / 100] / 1000.0:0.00} ms, max {latencies[^1] / 1000.0:0.00} ms");
        }
        Console.WriteLine($"frame buffers         {detector.FrameBuffersAllocated} allocated (2 MiB each; the deepest backlog)");
        Console.WriteLine($"load average          {File.ReadAllText("/proc/loadavg").Trim()} (machine shared with other builds)");
        Console.WriteLine($"process CPU           {cpu.TotalSeconds / (elapsedUs / 1e6) * 100:0}% of one core (detector + client in one process)");
        return lost == 0 && receiver.Lost == 0 ? 0 : 1;
    }
}
