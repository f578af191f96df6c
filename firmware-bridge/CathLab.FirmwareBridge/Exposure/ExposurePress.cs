namespace CathLab.FirmwareBridge.Exposure;

/// <summary>Who can tell a holder when its press ends.</summary>
public interface IExposurePresses
{
    /// <summary>Watches the next press from <paramref name="source"/>: its <see cref="ExposurePress.Ended"/> completes
    /// with the reason when that press ends for any reason (its release, an emergency stop, a fault, the link's loss,
    /// the generator ending the exposure), when the press is refused, or when the source releases before pressing.</summary>
    ExposurePress WatchNextPress(InputSource source);
}

/// <summary>One press of a held switch, from its holder's side: <see cref="Ended"/> completes once, with why the press
/// ended. Dispose to stop watching a press that will not come.</summary>
public sealed class ExposurePress : IDisposable
{
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<ExposurePress>? _forget;

    /// <param name="forget">Called on <see cref="Dispose"/>, so whoever watches for the press lets it go.</param>
    public ExposurePress(InputSource source, Action<ExposurePress>? forget = null)
    {
        Source = source;
        _forget = forget;
    }

    public InputSource Source { get; }

    /// <summary>The press's own transition, when <see cref="ExposureController.Press"/> made it.</summary>
    public ExposureTransition? Pressed { get; internal set; }

    /// <summary>Completes with the reason the press ended (never faults).</summary>
    public Task<string> Ended => _ended.Task;

    /// <summary>Called by whoever watches the press (the exposure controller, or a stand-in): the first reason wins.</summary>
    public void End(string reason) => _ended.TrySetResult(reason);

    public void Dispose()
    {
        _forget?.Invoke(this);
        _ended.TrySetResult("no longer watched");
    }
}

/// <summary>The presses being watched, bound to the press in progress when it begins and ended when the machine
/// leaves the pressed phases. <see cref="Observe"/> runs on the controller's thread after each input.</summary>
internal sealed class ExposurePresses : IExposurePresses
{
    private readonly Lock _gate = new();
    private readonly List<ExposurePress> _waiting = [];
    private readonly List<ExposurePress> _current = [];

    public ExposurePress WatchNextPress(InputSource source)
    {
        var press = new ExposurePress(source, Forget);
        lock (_gate) _waiting.Add(press);
        return press;
    }

    public void Observe(ExposureTransition t, ExposurePhase before, ExposurePhase after)
    {
        bool wasPressed = IsPressed(before), isPressed = IsPressed(after);
        var input = t.Input;
        lock (_gate)
        {
            if (wasPressed && !isPressed) EndAll(_current, t.ToString());
            if (!input.Held) return;
            if (input.Trigger == ExposureTrigger.Expose)
            {
                if (t.Accepted && isPressed) Move(input.Source);
                else if (!t.Accepted) EndWaiting(input.Source, $"press refused: {t.Why}");
            }
            else if (input.Trigger == ExposureTrigger.Release && !(wasPressed && !isPressed))
            {
                EndWaiting(input.Source, $"released before the press: {input}");
            }
        }
    }

    private static bool IsPressed(ExposurePhase phase) => phase is ExposurePhase.PreparingToExpose or ExposurePhase.Exposing;

    private void Move(InputSource source)
    {
        for (int i = _waiting.Count - 1; i >= 0; i--)
        {
            if (_waiting[i].Source != source) continue;
            _current.Add(_waiting[i]);
            _waiting.RemoveAt(i);
        }
    }

    private void EndWaiting(InputSource source, string reason)
    {
        for (int i = _waiting.Count - 1; i >= 0; i--)
        {
            if (_waiting[i].Source != source) continue;
            _waiting[i].End(reason);
            _waiting.RemoveAt(i);
        }
    }

    private static void EndAll(List<ExposurePress> presses, string reason)
    {
        foreach (var press in presses) press.End(reason);
        presses.Clear();
    }

    private void Forget(ExposurePress press)
    {
        lock (_gate)
        {
            _waiting.Remove(press);
            _current.Remove(press);
        }
    }
}
