using CathLab.Acquisition.Distribution;
using CathLab.Acquisition.Recording;
using CathLab.Acquisition.Runs;
using CathLab.Acquisition.Sources;
using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Link;
using CathLab.Sims.Detector;
using CathLab.Sims.Generator;
using CathLab.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using FramePool = CathLab.Acquisition.Frames.FramePool;

namespace CathLab.Acquisition.Tests.Hil;

/// <summary>The simulators on a real socat pty pair and frame link, and the station's acquisition path on the other end:
/// generator link, bridge, frame-link source, fan-out, sequencer, and a recorder stand-in that counts what it gets, or,
/// with a spool folder, the real recorder writing XA objects from the generator's pulse reports.</summary>
internal sealed class StationRig : IAsyncDisposable
{
    public PtyPair Pty { get; } = new();
    public SimulatedDetector Detector { get; }
    public GeneratorSerialEndpoint Endpoint { get; }
    public SimulatedGenerator Generator { get; }
    public GeneratorBridge Bridge { get; private set; } = null!;
    public FrameLinkSource Source { get; private set; } = null!;
    public FramePool Pool { get; } = new(48, 512 * 512);
    public FrameFanout Fanout { get; } = new();
    public FrameQueue Recorder { get; }
    public RunSequencer Sequencer { get; private set; } = null!;
    public long Recorded;
    public PulseReportBook? Pulses { get; private set; }
    public RunRecorder? RunRecorder { get; private set; }
    private readonly CancellationTokenSource _stop = new();
    private Task _recorderLoop = Task.CompletedTask;

    private StationRig(DetectorFaultOptions? faults)
    {
        Detector = new SimulatedDetector(new SimulatedDetectorOptions { Mode = DetectorMode.Binned512, Faults = faults ?? DetectorFaultOptions.None });
        Detector.Start();
        Endpoint = new GeneratorSerialEndpoint(Pty.GeneratorEnd, 115200, SerialFaultOptions.None);
        var options = new GeneratorSimOptions();
        Generator = new SimulatedGenerator(options with { Capabilities = options.Capabilities with { HeartbeatWindowMs = 1000 } }, Detector.TubeOutput, Endpoint);
        Generator.AddObserver(Detector);
        Endpoint.Start(Generator);
        Recorder = Fanout.Subscribe("recorder", 40, ConsumerPolicy.MustNotLose);
    }

    public static async Task<StationRig> StartAsync(DetectorFaultOptions? faults = null, string? spoolFolder = null)
    {
        var rig = new StationRig(faults);
        rig.Bridge = new GeneratorBridge(new GeneratorLinkV1(SerialConnectors.ForPort(rig.Pty.StationEnd),
            // A shared, loaded test machine answers late at times; the simulator's heartbeat window is widened to match.
            new LinkTimings { AnswerTimeout = TimeSpan.FromMilliseconds(100), MaxRetries = 8 }));
        if (spoolFolder is not null)
        {
            rig.Pulses = PulseReportBook.Listen(rig.Bridge.Link);
            rig.RunRecorder = new RunRecorder(rig.Recorder, rig.Pulses, new RecorderOptions(spoolFolder)
            {
                // The serial line's pulse reports can trail their frames by a second on this shared, loaded machine.
                PulseReportWait = TimeSpan.FromSeconds(2),
            }, NullLogger<RunRecorder>.Instance);
        }
        await rig.Bridge.ConnectAsync();
        rig.Source = new FrameLinkSource("127.0.0.1", rig.Detector.Port, rig.Pool, NullLogger<FrameLinkSource>.Instance);
        rig.Sequencer = new RunSequencer(rig.Bridge, rig.Source, rig.Fanout, NullLogger<RunSequencer>.Instance);
        await rig.Source.StartAsync(CancellationToken.None);
        if (rig.RunRecorder is null) rig._recorderLoop = Task.Run(async () =>
        {
            try
            {
                await foreach (var frame in rig.Recorder.Reader.ReadAllAsync(rig._stop.Token))
                {
                    Interlocked.Increment(ref rig.Recorded);
                    frame.Release();
                }
            }
            catch (OperationCanceledException) { }
        });
        for (int i = 0; i < 500 && rig.Detector.SubscriberCount == 0; i++) await Task.Delay(10);
        return rig;
    }

    public static Func<CancellationToken, Task> Hold(TimeSpan time) => token => Task.Delay(time, token);

    /// <summary>One recorded run as the station makes it: Begin, the sequencer's run with the pedal held, End.</summary>
    public async Task<(RunResult Run, RecordingOutcome Recording)> RecordAsync(RecordingRequest request, TimeSpan hold)
    {
        var recorder = RunRecorder ?? throw new InvalidOperationException("start the rig with a spool folder to record");
        recorder.Begin(request);
        var run = await Sequencer.RunAsync(request.Protocol, Hold(hold), CancellationToken.None);
        return (run, await recorder.EndAsync(run));
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _recorderLoop;
        if (RunRecorder is not null) await RunRecorder.DisposeAsync();
        Pulses?.Dispose();
        await Source.DisposeAsync();
        await Bridge.DisposeAsync();
        Generator.Dispose();
        Endpoint.Dispose();
        Detector.Dispose();
        Pty.Dispose();
    }
}
