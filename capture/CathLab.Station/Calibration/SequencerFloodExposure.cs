using CathLab.Acquisition.Calibration;
using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Runs;
using CathLab.Acquisition.Sources;
using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Exposure;

namespace CathLab.Station.Calibration;

/// <summary>The one place where the calibration touches exposure: a cine exposure under automatic dose control through
/// the <see cref="RunSequencer"/> (the pedal path with its safety rules; the dose ledger counts it), held until the flood
/// frames are in. The exposure controller's transitions tell a fault or a pedal released by anyone else from the
/// procedure's own release.</summary>
public sealed class SequencerFloodExposure(RunSequencer sequencer, IFrameSource source, GeneratorBridge bridge, double pulseRate) : IFloodExposure
{
    public const string ProtocolName = "detector-calibration-flood";

    public async Task<IReadOnlyList<FloodFrame>> ExposeAsync(int settleFrames, int frames, CancellationToken cancellationToken)
    {
        var protocol = new AcquisitionProtocol(ProtocolName, "detector calibration: flood frames through the uniform attenuator", RunKind.Cine,
            [new AcquisitionPhase("flood", pulseRate)]);
        var collected = new List<FloodFrame>(frames);
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new Lock();
        int seen = 0;
        bool releasing = false;
        void OnFrame(Frame frame)
        {
            if (frame.Info.Dark) return;
            lock (gate)
            {
                if (++seen <= settleFrames || collected.Count >= frames) return;
                collected.Add(new FloodFrame(frame.Info, frame.Pixels.ToArray()));
                if (collected.Count == frames) enough.TrySetResult();
            }
        }
        void OnTransition(ExposureTransition t)
        {
            if (Volatile.Read(ref releasing)) return;
            if (t.To.IsFaulted())
                enough.TrySetException(new CalibrationAbortedException($"the exposure faulted during the flood ({t.Input.Detail ?? t.Input.Trigger.ToString()}): procedure aborted, the calibration in force is kept"));
            else if (t.From.IsExposing() && !t.To.IsExposing())
                enough.TrySetException(new CalibrationAbortedException(t.Input.Source == InputSource.Generator
                    ? $"the generator ended the exposure before the flood frames were in ({t.Input.Detail ?? t.Input.Trigger.ToString()}): procedure aborted, the calibration in force is kept"
                    : $"the exposure was stopped before the flood frames were in ({t.Input.Source} {t.Input.Trigger}: pedal released): procedure aborted, the calibration in force is kept"));
        }
        source.FrameArrived += OnFrame;
        bridge.Exposure.Transitioned += OnTransition;
        RunResult result;
        try
        {
            result = await sequencer.RunAsync(protocol, async held =>
            {
                try
                {
                    await enough.Task.WaitAsync(held);
                }
                catch (CalibrationAbortedException)
                {
                }
                Volatile.Write(ref releasing, true);
            }, cancellationToken, InputSource.Station);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new CalibrationAbortedException($"the flood could not be exposed: {e.Message}", e);
        }
        finally
        {
            bridge.Exposure.Transitioned -= OnTransition;
            source.FrameArrived -= OnFrame;
        }
        if (enough.Task.IsFaulted) throw enough.Task.Exception!.InnerException!;
        lock (gate)
        {
            if (collected.Count < frames)
                throw new CalibrationAbortedException($"the flood exposure ended with {collected.Count} of {frames} frames ({result.Failure ?? "stopped"}): procedure aborted, the calibration in force is kept");
            return [.. collected];
        }
    }
}
