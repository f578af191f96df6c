using CathLab.FirmwareBridge.Link;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>Puts the machine's link actions on the generator link and turns their outcomes back into inputs. Actions
/// only enqueue (ExposeOff ahead of everything, cancelling a queued ExposeOn); nothing here waits for the generator on
/// the controller's thread.</summary>
internal sealed class ExposureActionRunner(IGeneratorLink link, ILogger logger, Action<ExposureInput> post)
{
    /// <summary>The last error a command returned (the generator's refusal with its reason, or a link failure).</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Runs <paramref name="action"/> when it is one for the link; false when it is not.</summary>
    public bool TryRun(ExposureAction action, ExposureKind? kind)
    {
        switch (action)
        {
            case ExposureAction.SendExposeOff:
                Watch(link.ExposeOffAsync(), MessageType.ExposeOff, confirmed: new(ExposureTrigger.ExposeOffConfirmed, InputSource.Generator));
                return true;
            case ExposureAction.SendPrepare when kind is { } k:
                Watch(PrepareAndConfirmAsync(k), MessageType.Prepare);
                return true;
            case ExposureAction.SendExposeOn when kind is { } k:
                Watch(link.ExposeOnAsync(k), MessageType.ExposeOn, confirmed: new(ExposureTrigger.ExposeOnConfirmed, InputSource.Generator));
                return true;
            case ExposureAction.StopHeartbeat:
                link.StopHeartbeat("exposure state unknown: link lost");
                return true;
            case ExposureAction.ResumeHeartbeat:
                link.ResumeHeartbeat();
                return true;
            case ExposureAction.ReadStatus:
                _ = ReadStatusAsync();
                return true;
            case ExposureAction.RunFaultReset:
                _ = RunFaultResetAsync();
                return true;
            default:
                return false;
        }
    }

    /// <summary>The input a status read gives: where the generator stands, as the machine's status triggers.</summary>
    public static ExposureInput StatusInput(GeneratorStatus status)
    {
        var trigger = status switch
        {
            { State: GeneratorState.Fault } or { Fault: not FaultCode.None } => ExposureTrigger.StatusFaulted,
            { State: GeneratorState.Idle } => ExposureTrigger.StatusIdle,
            { State: GeneratorState.Exposing } => ExposureTrigger.StatusExposing,
            _ => ExposureTrigger.StatusReady,
        };
        return new(trigger, InputSource.Generator, Detail: $"generator {status.State}, fault {status.Fault}");
    }

    /// <summary>A generator that is already prepared acknowledges Prepare without a state change, so no Ready event
    /// follows: after the acknowledgement the station asks where the generator stands.</summary>
    private async Task PrepareAndConfirmAsync(ExposureKind kind)
    {
        await link.PrepareAsync(kind).ConfigureAwait(false);
        var status = await link.GetStatusAsync().ConfigureAwait(false);
        if (status.State == GeneratorState.Ready) post(new(ExposureTrigger.GeneratorReady, InputSource.Generator, Detail: "already prepared"));
    }

    private async Task ReadStatusAsync()
    {
        try
        {
            post(StatusInput(await link.GetStatusAsync().ConfigureAwait(false)));
        }
        catch (Exception e) when (e is GeneratorLinkDownException or GeneratorRefusedException or CommandPreemptedException or ObjectDisposedException or GeneratorProtocolException)
        {
            logger.LogInformation("generator status not read: {Error}", e.Message);
        }
    }

    private async Task RunFaultResetAsync()
    {
        try
        {
            var status = await link.GetStatusAsync().ConfigureAwait(false);
            if (status.State == GeneratorState.Exposing) await link.ExposeOffAsync().ConfigureAwait(false);
            await link.ResetFaultAsync().ConfigureAwait(false);
            post(new(ExposureTrigger.FaultResetSucceeded, InputSource.Generator));
        }
        catch (Exception e)
        {
            LastError = e;
            post(new(ExposureTrigger.FaultResetFailed, InputSource.Generator, Detail: e.Message, Cause: e));
        }
    }

    private void Watch(Task command, MessageType type, ExposureInput? confirmed = null)
    {
        command.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                if (confirmed is { } input) post(input);
                return;
            }
            var error = t.Exception!.InnerException!;
            LastError = error;
            switch (error)
            {
                case CommandPreemptedException:
                    logger.LogInformation("{Command} pre-empted by ExposeOff", type);
                    break;
                case GeneratorRefusedException refused:
                    post(new(ExposureTrigger.CommandRefused, InputSource.Generator, Detail: refused.Message, Cause: refused));
                    break;
                case ObjectDisposedException:
                    break;
                default:
                    post(new(ExposureTrigger.LinkLost, InputSource.Link, Detail: $"{type}: {error.Message}", Cause: error));
                    break;
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
