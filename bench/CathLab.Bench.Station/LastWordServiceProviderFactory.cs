using Microsoft.Extensions.DependencyInjection;

namespace CathLab.Bench.Station;

/// <summary>Builds the host's service provider after adding <paramref name="lastWord"/>'s registrations at the very end.
/// The station's <c>adjust</c> hook runs before the station registers its own parts, so a singleton added there would
/// lose to the station's; added here it is the last registration, and the last one wins.</summary>
internal sealed class LastWordServiceProviderFactory(Action<IServiceCollection> lastWord) : IServiceProviderFactory<IServiceCollection>
{
    private readonly DefaultServiceProviderFactory _inner = new();

    public IServiceCollection CreateBuilder(IServiceCollection services) => _inner.CreateBuilder(services);

    public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder)
    {
        lastWord(containerBuilder);
        return _inner.CreateServiceProvider(containerBuilder);
    }
}
