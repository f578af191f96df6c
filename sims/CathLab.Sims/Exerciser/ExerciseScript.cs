using CathLab.Wire.Generator;

namespace CathLab.Sims.Exerciser;

/// <summary>A short, fixed session against a generator and a detector, printed as it goes: identify, capabilities,
/// fluoro at two doses, a cine run, a refused technique, then the totals. It shows what the simulators produce
/// and checks that real hardware speaks the documented protocols.</summary>
public sealed class ExerciseScript(GeneratorProbe generator, FrameProbe frames, TextWriter output)
{
    public async Task<int> RunAsync(TimeSpan fluoroTime, TimeSpan cineTime, CancellationToken cancellationToken)
    {
        var r = new PayloadReader(generator.Ack(MessageType.Identify));
        var identity = GeneratorIdentity.Read(ref r);
        output.WriteLine($"generator: {identity.Model}, firmware {identity.Firmware}, protocol v{identity.ProtocolVersion}");
        r = new PayloadReader(generator.Ack(MessageType.GetCapabilities));
        var caps = GeneratorCapabilities.Read(ref r);
        output.WriteLine($"capabilities: {caps.Kv} kV, {caps.Ma} mA, {caps.PulseWidthMs} ms (cine up to {caps.CinePulseWidthMaxMs} ms), {caps.PulseRate} pulses/s, heartbeat window {caps.HeartbeatWindowMs} ms");

        using var heartbeat = new CancellationTokenSource();
        // A thread of its own: heartbeats must not wait for a busy thread pool.
        var beats = new Thread(() =>
        {
            while (!heartbeat.IsCancellationRequested)
            {
                try { generator.Command(MessageType.Heartbeat); } catch (TimeoutException) { }
                heartbeat.Token.WaitHandle.WaitOne(caps.HeartbeatWindowMs / 4);
            }
        }) { IsBackground = true, Name = "exercise heartbeat" };
        beats.Start();

        try
        {
            await ExposeAsync(new TechniqueSetting(ExposureKind.Fluoro, new Technique(70, 20, 5), 15), fluoroTime, cancellationToken);
            await ExposeAsync(new TechniqueSetting(ExposureKind.Fluoro, new Technique(70, 40, 5), 15), fluoroTime, cancellationToken);
            await ExposeAsync(new TechniqueSetting(ExposureKind.Cine, new Technique(80, 300, 6), 30), cineTime, cancellationToken);

            var refused = generator.Command(MessageType.SetTechnique, GeneratorProbe.Setting(new TechniqueSetting(ExposureKind.Fluoro, new Technique(150, 20, 5), 15)));
            output.WriteLine($"technique 150 kV: {(refused.Acked ? "accepted (unexpected)" : refused.Refusal.ToString())}");
        }
        finally
        {
            heartbeat.Cancel();
            beats.Join();
        }

        await Task.Delay(300, cancellationToken);
        var pulses = generator.EventsOf<PulseEvent>().ToArray();
        double kermaMilliGray = pulses.Sum(p => p.AirKermaMilliGray);
        output.WriteLine($"total: {pulses.Length} pulses reported, {frames.Frames} frames received, {frames.MissingBySequence} missing, reference air kerma {kermaMilliGray:0.000} mGy");
        output.WriteLine($"link: {generator.Retries} command retries, {generator.FrameErrors} frame errors");
        bool ok = frames.Failure is null && frames.MissingBySequence == 0 && pulses.Length > 0 && Math.Abs(frames.Frames - pulses.Length) <= 1;
        output.WriteLine(ok ? "exercise: OK" : $"exercise: FAILED {frames.Failure}");
        return ok ? 0 : 1;
    }

    private async Task ExposeAsync(TechniqueSetting setting, TimeSpan duration, CancellationToken cancellationToken)
    {
        generator.Ack(MessageType.SetTechnique, GeneratorProbe.Setting(setting));
        generator.Ack(MessageType.Prepare, GeneratorProbe.Kind(setting.Kind));
        await WaitReadyAsync(cancellationToken);
        int pulsesBefore = generator.EventsOf<PulseEvent>().Count();
        long framesBefore = frames.Frames;
        generator.Ack(MessageType.ExposeOn, GeneratorProbe.Kind(setting.Kind));
        await Task.Delay(duration, cancellationToken);
        generator.Ack(MessageType.ExposeOff);
        await Task.Delay(150, cancellationToken);
        var pulses = generator.EventsOf<PulseEvent>().Skip(pulsesBefore).ToArray();
        double kerma = pulses.Sum(p => p.AirKermaMilliGray);
        double rate = pulses.Length > 0 ? kerma / duration.TotalMinutes : 0;
        output.WriteLine(
            $"{setting.Kind,-6} {setting.Technique} at {setting.PulseRate} pulses/s: {pulses.Length} pulses, {frames.Frames - framesBefore} frames, " +
            $"Ka,r {kerma:0.000} mGy ({rate:0.0} mGy/min), centre of last frame {frames.LastCentreMean:0} ± {frames.LastCentreStdDev:0.0} ({frames.LastHeader.BitsStored} bits, {frames.LastHeader.Width}×{frames.LastHeader.Height})");
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; i < 200; i++)
        {
            var r = new PayloadReader(generator.Ack(MessageType.GetStatus));
            var status = GeneratorStatus.Read(ref r);
            if (status.State == GeneratorState.Ready) return;
            if (status.State == GeneratorState.Fault) throw new InvalidOperationException($"generator fault {status.Fault}");
            await Task.Delay(20, cancellationToken);
        }
        throw new TimeoutException("generator did not become ready");
    }
}
