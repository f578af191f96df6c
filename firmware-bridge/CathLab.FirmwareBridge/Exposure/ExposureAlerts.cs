namespace CathLab.FirmwareBridge.Exposure;

/// <summary>What the operator must be told about a transition of the exposure machine.</summary>
public static class ExposureAlerts
{
    public static IReadOnlyList<BridgeAlert> For(ExposureTransition t, ExposurePhase phaseBefore, DateTimeOffset at)
    {
        if (!t.Accepted) return [];
        var alerts = new List<BridgeAlert>(1);
        void Add(BridgeAlertKind kind, string text) => alerts.Add(new BridgeAlert(kind, at, text));
        string detail = t.Input.Detail ?? t.Input.Trigger.ToString();
        switch (t.Input.Trigger)
        {
            case ExposureTrigger.GeneratorFault:
                if (phaseBefore != ExposurePhase.Fault || t.Actions.Contains(ExposureAction.SendExposeOff)) Add(BridgeAlertKind.GeneratorFault, detail);
                break;
            case ExposureTrigger.CommandRefused:
                Add(BridgeAlertKind.CommandRefused, detail);
                break;
            case ExposureTrigger.LinkLost when phaseBefore is not (ExposurePhase.LinkDown):
                Add(BridgeAlertKind.LinkLost, detail);
                break;
            case ExposureTrigger.LinkUp when t.To == ExposureState.Fault:
                Add(BridgeAlertKind.LinkRestored, $"{detail}; the link was lost during an exposure or a fault is active: reset the fault to expose again");
                break;
            case ExposureTrigger.StatusIdle when phaseBefore == ExposurePhase.LinkDown:
                Add(BridgeAlertKind.LinkRestored, $"{detail}: lost while idle and the generator is idle: ready again without a fault reset");
                break;
            case ExposureTrigger.StatusReady or ExposureTrigger.StatusExposing when phaseBefore == ExposurePhase.LinkDown:
                Add(BridgeAlertKind.LinkRestored, $"{detail}: reset the fault to expose again");
                break;
            case ExposureTrigger.StatusFaulted when phaseBefore != ExposurePhase.Fault:
                Add(BridgeAlertKind.GeneratorFault, $"{detail}: latched in the generator; reset the fault to expose again");
                break;
            case ExposureTrigger.EmergencyStop or ExposureTrigger.DoseRateExceeded when t.From.IsExposing():
                Add(BridgeAlertKind.ExposureStopped, detail);
                break;
        }
        foreach (var action in t.Actions)
        {
            switch (action)
            {
                case ExposureAction.CountUnexpectedPulse:
                    Add(BridgeAlertKind.UnexpectedEmission, $"{detail} reported outside an exposure");
                    break;
                case ExposureAction.StartHighLevelAlert:
                    Add(BridgeAlertKind.HighLevelFluoroActive, "high-level fluoroscopy: continuous alert while the pedal is held");
                    break;
                case ExposureAction.StopHighLevelAlert:
                    Add(BridgeAlertKind.HighLevelFluoroEnded, "high-level fluoroscopy ended");
                    break;
                case ExposureAction.SignalPulse when t.To == ExposureState.HighLevelFluoro:
                    Add(BridgeAlertKind.HighLevelFluoroActive, $"high-level fluoroscopy {detail}");
                    break;
            }
        }
        return alerts;
    }
}
