namespace CathLab.Station.Exam;

/// <summary>The last thing the technician must see: a generator alert (its <see cref="CathLab.FirmwareBridge.BridgeAlertKind"/>
/// name) or one the station raised itself, such as a run it ended at the recorder's capacity.</summary>
public sealed record StationAlert(string Kind, DateTimeOffset At, string Text);
