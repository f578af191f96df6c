using System.Threading.Channels;
using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Switches;
using CathLab.Security.Audit;
using CathLab.Station.Control;

namespace CathLab.Station.Hardware;

/// <summary>The hardware foot switch as the station's held pedal (<see cref="InputSource.HardwarePedal"/>): pressed, it
/// presses the selected protocol; released, stale or lost, it releases. Changes are served in order, one at a time.
/// A press the station refuses is logged; the switch must be released and pressed again.</summary>
public sealed class FootSwitchService(IExposureSwitch footSwitch, IStationControl station, IAuditLog audit, TimeProvider time, ILogger<FootSwitchService> logger) : IHostedService
{
    private readonly Channel<(bool Pressed, string Why)> _changes = Channel.CreateUnbounded<(bool, string)>(new UnboundedChannelOptions { SingleReader = true });
    private Task _serving = Task.CompletedTask;
    private bool _holding;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        footSwitch.Changed += OnChanged;
        _serving = ServeAsync();
        footSwitch.Start();
        logger.LogInformation("{Switch} watched as the hardware pedal", footSwitch.Description);
        return Task.CompletedTask;
    }

    private void OnChanged(bool pressed, string why) => _changes.Writer.TryWrite((pressed, why));

    private async Task ServeAsync()
    {
        await foreach (var (pressed, why) in _changes.Reader.ReadAllAsync())
        {
            try
            {
                if (pressed && !_holding)
                {
                    var run = await station.PedalDownAsync(null, CancellationToken.None, source: InputSource.HardwarePedal);
                    _holding = true;
                    Record("pedal-down", "OK", $"run {run.Number}");
                    logger.LogInformation("foot switch pressed: run {Number}", run.Number);
                }
                else if (!pressed && _holding)
                {
                    _holding = false;
                    var run = await station.PedalUpAsync(CancellationToken.None, InputSource.HardwarePedal, $"foot switch {why}");
                    Record("pedal-up", "OK", $"foot switch {why}");
                    logger.LogInformation("foot switch {Why}: run {Number} {State}", why, run.Number, run.State);
                }
            }
            catch (Exception e) when (e is StationRefusedException or InvalidOperationException)
            {
                Record(pressed ? "pedal-down" : "pedal-up", "FailedPrecondition", e.Message);
                logger.LogWarning("foot switch {Change} refused: {Reason}", pressed ? "press" : "release", e.Message);
            }
        }
    }

    private void Record(string action, string outcome, string detail) =>
        audit.Record(new AuditRecord(time.GetUtcNow(), "hardwarepedal", action, outcome, station.Status.Exam?.ExamId, Transport: "serial",
            Detail: $"{footSwitch.Description}: {detail}"));

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        footSwitch.Changed -= OnChanged;
        footSwitch.Dispose(); // a held switch releases as it stops
        OnChanged(false, SwitchReasons.Stopped);
        _changes.Writer.TryComplete();
        await _serving.WaitAsync(cancellationToken);
    }
}
