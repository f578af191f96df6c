using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Exposure;
using CathLab.Security.Audit;

namespace CathLab.Station.Control;

/// <summary>Puts every exposure the station stopped by itself into the audit trail with its origin (the maximum hold
/// and shutdown from <c>station</c>, the dose-rate limiter from <c>doselimiter</c>), beside the pedal's own
/// <c>pedal-down</c> and <c>pedal-up</c> lines.</summary>
public sealed class ExposureStopAudit(GeneratorBridge bridge, IAuditLog audit, IStationControl station) : IHostedService
{
    public const string Action = "exposure-stop";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        bridge.Exposure.Transitioned += OnTransition;
        return Task.CompletedTask;
    }

    private void OnTransition(ExposureTransition t)
    {
        if (!t.Accepted || t.Input.Trigger is not (ExposureTrigger.EmergencyStop or ExposureTrigger.DoseRateExceeded)) return;
        if (!t.From.IsExposing() && t.From != ExposureState.PreparingToExpose) return;
        audit.Record(new AuditRecord(t.At, t.Input.Source.ToString().ToLowerInvariant(), Action, "OK", station.Status.Exam?.ExamId,
            Transport: "station", Detail: $"{t.From} -> {t.To}: {t.Input.Detail ?? t.Input.Trigger.ToString()}"));
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        bridge.Exposure.Transitioned -= OnTransition;
        return Task.CompletedTask;
    }
}
