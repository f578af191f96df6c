using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Exposure;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>The technician's two resets of the generator side: a fault once its cause is gone, and the fluoro timer's alarm.</summary>
public sealed class GeneratorResets(GeneratorBridge bridge, ILogger<GeneratorResets> logger)
{
    public bool ResetFluoroTimer()
    {
        bool was = bridge.Dose.ResetFluoroAlarm();
        logger.LogInformation("fluoro timer alarm reset by the technician (it was {State})", was ? "sounding" : "off");
        return was;
    }

    public async Task ResetFaultAsync(CancellationToken cancellationToken)
    {
        if (!bridge.Exposure.State.IsFaulted()) throw new StationRefusedException("the exposure controller is not in fault");
        var transition = await bridge.Exposure.ResetFaultAsync(cancellationToken);
        logger.LogInformation("fault reset: {Transition}", transition);
    }
}
