using CathLab.Acquisition.Distribution;
using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Recording;
using CathLab.Acquisition.Runs;
using CathLab.Dicom.IO;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging.Abstractions;

namespace CathLab.Acquisition.Tests.Recording;

/// <summary>The recorder on a real pool, fan-out and queue, with frames and pulse reports made by the test: the pulse
/// ids, techniques and timing are the test's to choose, in any order.</summary>
internal sealed class RecorderHarness : IAsyncDisposable
{
    public const int Size = 512;
    private long _sequence;

    public RecorderHarness(string spool, int queueCapacity = 16, TimeSpan? pulseReportWait = null, DicomTransferSyntax? syntax = null,
        double fastRunAboveRate = double.PositiveInfinity)
    {
        Pool = new FramePool(24, Size * Size);
        Queue = Fanout.Subscribe("recorder", queueCapacity, ConsumerPolicy.MustNotLose);
        Recorder = new RunRecorder(Queue, Pulses, new RecorderOptions(spool)
            {
                PulseReportWait = pulseReportWait ?? TimeSpan.FromSeconds(30),
                TransferSyntax = syntax ?? DicomTransferSyntax.ExplicitVRLittleEndian,
                FastRunAboveRate = fastRunAboveRate,
            },
            NullLogger<RunRecorder>.Instance);
    }

    public FramePool Pool { get; }
    public FrameFanout Fanout { get; } = new();
    public FrameQueue Queue { get; }
    public PulseReportBook Pulses { get; } = new();
    public RunRecorder Recorder { get; }

    public static Technique TechniqueOf(uint pulseId) => new(70 + pulseId % 7, 300 + 10 * (pulseId % 3), 6.5);

    public static ulong TimestampOf(uint pulseId) => 5_000_000 + pulseId * 66_667UL;

    /// <summary>The generator's report of <paramref name="pulseId"/>: 1 µGy each.</summary>
    public void Report(uint pulseId) => Pulses.Add(pulseId, TimestampOf(pulseId), ExposureKind.Cine, TechniqueOf(pulseId), 1000);

    /// <summary>The detector's frame of <paramref name="pulseId"/>; pixels are the pulse id plus the column.</summary>
    public void Frame(uint pulseId, int size = Size)
    {
        Frame frame;
        while (!Pool.TryRent(out frame)) Thread.Sleep(1);
        frame.Info = new FrameInfo(++_sequence, pulseId, (long)TimestampOf(pulseId), size, size, 12, TechniqueOf(pulseId), ExposureKind.Cine, 1000, false);
        var pixels = frame.Pixels;
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (ushort)((pulseId + i % size) & 0xFFF);
        Fanout.Publish(frame);
    }

    /// <summary>A pulse as the generator and detector make it: its report, then its frame.</summary>
    public void Pulse(uint pulseId)
    {
        Report(pulseId);
        Frame(pulseId);
    }

    /// <summary>The sequencer's verdict on a run of <paramref name="pulses"/> pulses that all made frames.</summary>
    public static RunResult Result(AcquisitionProtocol protocol, int pulses, string? failure = null) =>
        new(protocol, 1, pulses, pulses, 0, pulses * 1e-3, TimeSpan.FromSeconds(1), failure);

    public async Task<bool> PoolFullAsync()
    {
        for (int i = 0; i < 500 && Pool.Available < Pool.Capacity; i++) await Task.Delay(10);
        return Pool.Available == Pool.Capacity;
    }

    public ValueTask DisposeAsync() => Recorder.DisposeAsync();
}
