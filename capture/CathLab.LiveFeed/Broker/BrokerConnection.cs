using NATS.Client.Core;

namespace CathLab.LiveFeed.Broker;

/// <summary>Makes the NATS connection the options describe: every URL (the client fails over between them),
/// user and password or an nkey seed file, reconnecting for ever.</summary>
internal static class BrokerConnection
{
    public static NatsConnection Open(BrokerOptions options, string name) => new(NatsOpts.Default with
    {
        Url = string.Join(',', options.Urls),
        Name = name,
        AuthOpts = NatsAuthOpts.Default with { Username = options.User, Password = options.Password, NKeyFile = options.NKeyFile },
        MaxReconnectRetry = -1,
        ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
        ReconnectWaitMax = TimeSpan.FromSeconds(2),
        ConnectTimeout = TimeSpan.FromSeconds(2),
        RetryOnInitialConnect = true,
    });
}
