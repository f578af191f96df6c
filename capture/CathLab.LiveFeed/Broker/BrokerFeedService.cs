using Microsoft.Extensions.Hosting;

namespace CathLab.LiveFeed.Broker;

/// <summary>Starts the broker side of the live feed the options ask for: a publisher on a station, a relay feed on a
/// relay. Neither waits for the broker to be reachable.</summary>
public sealed class BrokerFeedService(LiveFeedHub hub, BrokerOptions options) : IHostedService, IAsyncDisposable
{
    private IAsyncDisposable? _running;

    /// <summary>The publisher (station) while running; null on a relay.</summary>
    public BrokerPublisher? Publisher => _running as BrokerPublisher;

    /// <summary>The relay feed while running; null on a station.</summary>
    public RelayFeed? Relay => _running as RelayFeed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _running = options.IsRelay ? new RelayFeed(hub, options) : new BrokerPublisher(hub, options);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        var running = Interlocked.Exchange(ref _running, null);
        if (running is not null) await running.DisposeAsync();
    }
}
