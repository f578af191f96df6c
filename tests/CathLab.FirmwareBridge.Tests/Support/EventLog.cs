using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Support;

/// <summary>Every generator event the station delivered, in order, with waits for test conditions.</summary>
public sealed class EventLog
{
    private readonly List<GeneratorEvent> _events = [];

    public void Add(GeneratorEvent e)
    {
        lock (_events)
        {
            _events.Add(e);
            Monitor.PulseAll(_events);
        }
    }

    public IReadOnlyList<GeneratorEvent> Snapshot()
    {
        lock (_events) return [.. _events];
    }

    public IReadOnlyList<T> OfType<T>() where T : GeneratorEvent => Snapshot().OfType<T>().ToList();

    /// <summary>Waits until <paramref name="condition"/> holds over the events (hang guard, not a timing assertion).</summary>
    public void WaitFor(Func<IReadOnlyList<GeneratorEvent>, bool> condition, string what, int timeoutMs = 30_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        lock (_events)
        {
            while (!condition(_events))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) throw new TimeoutException($"gave up waiting for {what}; {_events.Count} events so far");
                Monitor.Wait(_events, left);
            }
        }
    }
}

public static class Until
{
    /// <summary>Blocks until <paramref name="condition"/> holds (hang guard only).</summary>
    public static void True(Func<bool> condition, string what, int timeoutMs = 30_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting for {what}");
            Thread.Sleep(2);
        }
    }

    /// <summary>Polls <paramref name="condition"/> (hang guard only).</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, int timeoutMs = 30_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting for {what}");
            await Task.Delay(5);
        }
    }
}
