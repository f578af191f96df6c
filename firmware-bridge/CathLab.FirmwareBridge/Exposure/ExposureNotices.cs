using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>The thread that tells listeners about transitions and alerts, so a slow listener never delays the safety
/// path.</summary>
internal sealed class ExposureNotices : IDisposable
{
    private readonly BlockingCollection<Action> _notices = new(new ConcurrentQueue<Action>());
    private readonly ILogger _logger;
    private readonly Thread _thread;

    public ExposureNotices(ILogger logger)
    {
        _logger = logger;
        _thread = new Thread(Notify) { IsBackground = true, Name = "exposure-notices" };
        _thread.Start();
    }

    public void Post(Action notice)
    {
        try
        {
            _notices.TryAdd(notice);
        }
        catch (InvalidOperationException)
        {
            // disposed
        }
    }

    private void Notify()
    {
        foreach (var notice in _notices.GetConsumingEnumerable())
        {
            try
            {
                notice();
            }
            catch (Exception e)
            {
                _logger.LogError(e, "an exposure listener failed");
            }
        }
    }

    public void Dispose()
    {
        _notices.CompleteAdding();
        if (Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(2));
    }
}
