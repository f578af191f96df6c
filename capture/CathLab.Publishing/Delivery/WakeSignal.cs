namespace CathLab.Publishing.Delivery;

/// <summary>Wakes a sleeping loop early. Signals while it is awake are folded into one.</summary>
internal sealed class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // already signalled
        }
        catch (ObjectDisposedException)
        {
            // the loop is gone
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellation) => _semaphore.WaitAsync(timeout, cancellation);

    public void Dispose() => _semaphore.Dispose();
}
