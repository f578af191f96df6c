using CathLab.Acquisition.Runs;
using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Link;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>The status line's read-model: one consistent look at the generator, the dose, the exam and its run, the
/// recorder and the outbox, as <see cref="StationStatus"/>. Reads only; changes nothing.</summary>
public sealed class StationStatusReader(GeneratorBridge bridge, RunSequencer sequencer, ExamSession session, RunController runs,
    ProtocolSelection selection, GeneratorTelemetry telemetry, StationRecorder recorder, OutboxService outbox)
{
    public StationStatus Read()
    {
        var exam = session.Current;
        var run = runs.InProgressRun;
        var selected = selection.Selected.Protocol;
        var dose = bridge.Dose.Exam;
        var runDose = bridge.Dose.CurrentRun;
        var technique = telemetry.LastTechnique;
        var counts = outbox.Counts;
        return new StationStatus(
            ExposureState: bridge.Exposure.State.ToString(),
            SelectedProtocol: selected.Name,
            Exam: session.View,
            // The exposing run as it goes, else the open exam's last run as it ended (absent: no run yet in this exam).
            CurrentRun: run?.View(runDose.Pulses, (int)sequencer.FramesThisRun, runDose.ReferenceAirKermaMilliGray) ?? exam?.Runs.LastOrDefault(),
            Kv: technique.Kv,
            Ma: technique.Ma,
            PulseWidthMs: technique.PulseWidthMs,
            PulseRate: run?.Protocol.Phases[0].PulseRate ?? 0,
            AirKermaRateMilliGrayPerMinute: telemetry.AirKermaRateMilliGrayPerMinute,
            ReferenceAirKermaMilliGray: dose.ReferenceAirKermaMilliGray,
            DoseAreaProductGyCm2: dose.DoseAreaProductGyCm2,
            FluoroTime: dose.FluoroTime,
            FluoroAlert: bridge.Dose.FluoroAlarmActive,
            TubeHeatPercent: telemetry.HeatPercent,
            FramesRecorded: (int)recorder.FramesRecorded,
            ObjectsPending: counts.Outstanding,
            ObjectsCommitted: counts.Committed,
            ObjectsFailed: counts.Failed,
            LastAlert: telemetry.LastAlert is { } alert ? $"{alert.At.ToLocalTime():HH:mm:ss} {alert.Kind}: {alert.Text}" : null,
            GeneratorConnected: bridge.Link.State == LinkState.Connected);
    }
}
