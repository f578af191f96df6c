using CathLab.Sims.Exerciser;
using System.Collections.Concurrent;
using CathLab.Sims.Generator;
using CathLab.Testing;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Tests.Generator;

/// <summary>The simulated generator on one end of a real socat pty pair, and a probe on the other.</summary>
internal sealed class SimulatorRig : IDisposable
{
    public PtyPair Pty { get; } = new();
    public GeneratorSerialEndpoint Endpoint { get; }
    public SimulatedGenerator Generator { get; }
    public GeneratorProbe Probe { get; }
    public ConcurrentQueue<DeliveredPulse> Pulses { get; } = new();

    /// <summary>Tests that are not about the heartbeat use a generous window, so a loaded machine cannot starve it.</summary>
    public static GeneratorSimOptions Relaxed(GeneratorSimOptions? options = null)
    {
        options ??= new GeneratorSimOptions();
        return options with { Capabilities = options.Capabilities with { HeartbeatWindowMs = 2000 } };
    }

    public SimulatorRig(GeneratorSimOptions? options = null, SerialFaultOptions? faults = null, TimeProvider? serialTime = null)
    {
        options ??= Relaxed();
        Endpoint = new GeneratorSerialEndpoint(Pty.GeneratorEnd, 115200, faults ?? SerialFaultOptions.None, serialTime);
        Generator = new SimulatedGenerator(options, new FixedTubeOutput(), Endpoint);
        Generator.AddObserver(new PulseRecorder(Pulses));
        Endpoint.Start(Generator);
        Probe = new GeneratorProbe(Pty.StationEnd);
        Probe.Ack(MessageType.Identify);
    }

    /// <summary>Sends heartbeats every 30 ms from a thread of its own until disposed.</summary>
    public IDisposable StartHeartbeats()
    {
        var cts = new CancellationTokenSource();
        var thread = new Thread(() =>
        {
            while (!cts.IsCancellationRequested)
            {
                try { Probe.Command(MessageType.Heartbeat); } catch (TimeoutException) { }
                Thread.Sleep(30);
            }
        }) { IsBackground = true };
        thread.Start();
        return new Stopper(() => { cts.Cancel(); thread.Join(); });
    }

    public void PrepareAndWaitReady(ExposureKind kind)
    {
        Probe.Ack(MessageType.Prepare, GeneratorProbe.Kind(kind));
        Assert.True(Probe.WaitFor(() => Generator.State == GeneratorState.Ready, TimeSpan.FromSeconds(10)), "generator never became ready");
    }

    public void Dispose()
    {
        Probe.Dispose();
        Generator.Dispose();
        Endpoint.Dispose();
        Pty.Dispose();
    }

    /// <summary>A clock that moves only when told to.</summary>
    public sealed class ManualClock : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Interlocked.Read(ref _ticks);
        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    private sealed class Stopper(Action stop) : IDisposable
    {
        public void Dispose() => stop();
    }

    private sealed class PulseRecorder(ConcurrentQueue<DeliveredPulse> pulses) : IPulseObserver
    {
        public void OnPulse(in DeliveredPulse pulse) => pulses.Enqueue(pulse);
    }

    private sealed class FixedTubeOutput : ITubeOutput
    {
        public double AirKermaMicroGray(in Technique technique) => 0.05 * technique.Kv * technique.Ma * technique.PulseWidthMs / 1000.0;
    }
}
